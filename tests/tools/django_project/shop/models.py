from django.db import models


class Customer(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100, db_index=True)
    joined = models.DateTimeField(auto_now_add=True)


class Product(models.Model):
    sku = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.IntegerField(default=0)
    discontinued = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku"], name="shop_product_sku_uniq")]
        indexes = [models.Index(fields=["title", "price"], name="shop_product_title_price")]


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveIntegerField()
    note = models.TextField(blank=True, default="")
