"""ORM work as an application does it; prints one JSON object of what it saw (test_django.py checks it)."""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum

from shop.models import Customer, Order, Product


class Command(BaseCommand):
    def handle(self, *args, **options):
        out = {}
        ada = Customer.objects.create(email="ada@example.com", name="Ada")
        grace = Customer.objects.create(email="grace@example.com", name="Grace")
        Product.objects.bulk_create(
            [
                Product(sku="LAMP", title="Desk lamp", price=Decimal("19.90"), stock=5),
                Product(sku="PEN", title="Fountain pen", price=Decimal("7.50"), stock=40),
            ]
        )
        lamp, pen = Product.objects.get(sku="LAMP"), Product.objects.get(sku="PEN")
        Order.objects.create(customer=ada, product=lamp, quantity=1)
        Order.objects.create(customer=ada, product=pen, quantity=3, note="gift")
        Order.objects.create(customer=grace, product=pen, quantity=2)
        out["ids"] = [ada.id, grace.id, lamp.id, pen.id]

        # read
        out["ada_orders"] = list(
            Order.objects.filter(customer__email="ada@example.com")
            .select_related("product")
            .order_by("product__sku")
            .values_list("product__sku", "quantity")
        )
        # aggregate
        out["per_customer"] = list(
            Customer.objects.annotate(n=Count("orders"), items=Sum("orders__quantity"))
            .order_by("name")
            .values_list("name", "n", "items")
        )
        # update: a queryset update with F() and a model save
        Product.objects.filter(sku="PEN").update(stock=F("stock") - 5)
        lamp.title = "Desk lamp (brass)"
        lamp.save(update_fields=["title"])
        # select_for_update inside a transaction
        with transaction.atomic():
            p = Product.objects.select_for_update().get(sku="LAMP")
            p.stock -= 1
            p.save()
        out["stock"] = dict(Product.objects.values_list("sku", "stock"))
        out["lamp_title"] = Product.objects.get(pk=lamp.pk).title
        # the unique constraint holds, and the transaction is usable afterwards
        try:
            with transaction.atomic():
                Product.objects.create(sku="PEN", title="dup", price=1)
            out["unique"] = "not enforced"
        except IntegrityError as e:
            out["unique"] = type(e.__cause__).__name__
        # delete: cascades to the customer's orders
        grace.delete()
        out["after_delete"] = [Customer.objects.count(), Order.objects.count()]
        print(json.dumps(out, default=str))
