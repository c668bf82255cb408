"""SQLAlchemy 2 with the psycopg dialect, and pandas read_sql/to_sql, against a PDB."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import CHAR, TEXT, VARCHAR, ForeignKey, String, create_engine, inspect, select, text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "sa_author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)


class Country(Base):
    """A char(n) primary key: PostgreSQL sends it blank-padded, and the ORM's UPDATE and DELETE
    send that padded value back in their WHERE (0 rows matched would be a StaleDataError)."""

    __tablename__ = "sa_country"
    code: Mapped[str] = mapped_column(CHAR(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class Book(Base):
    __tablename__ = "sa_book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("sa_author.id"))


@pytest.fixture(scope="module")
def engine(server, pdb):
    url = f"postgresql+psycopg://{PDB_ADMIN}:{PDB_PASSWORD}@127.0.0.1:{server.port}/{pdb}?sslmode=disable"
    eng = create_engine(url)
    yield eng
    eng.dispose()


def test_orm_round_trip(engine) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        a = Author(id=1, name="Ursula")
        s.add_all(
            [a, Book(id=1, title="The Dispossessed", author_id=1), Book(id=2, title="Lathe", author_id=1)]
        )
        s.commit()
        books = s.scalars(select(Book).where(Book.author_id == 1).order_by(Book.id)).all()
        assert [b.title for b in books] == ["The Dispossessed", "Lathe"]
        books[1].title = "The Lathe of Heaven"
        s.commit()
        s.delete(books[0])
        s.commit()
        assert s.scalars(select(Book.title)).all() == ["The Lathe of Heaven"]


def test_orm_char_key_read_and_saved(engine) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Country(code="fr", name="France"), Country(code="de  ", name="Germany")])
        s.commit()
    with Session(engine) as s:
        found = s.scalars(select(Country).order_by(Country.code)).all()
        assert [c.code for c in found] == ["de  ", "fr  "]  # as PostgreSQL sends char(4)
        found[1].name = "République française"
        s.commit()  # UPDATE ... WHERE code = 'fr  ': one row, or SQLAlchemy raises StaleDataError
        assert s.get(Country, "fr").name == "République française"
        s.delete(found[0])
        s.commit()
        assert s.scalars(select(Country.code).where(Country.code == "de")).all() == []


def test_inspect(engine) -> None:
    Base.metadata.create_all(engine)
    with engine.connect() as c:
        c.execute(text("create or replace view sa_titles as select title from sa_book"))
        c.commit()
    insp = inspect(engine)
    assert {"sa_author", "sa_book"} <= set(insp.get_table_names())
    assert "sa_titles" in insp.get_view_names()
    cols = {c["name"]: c for c in insp.get_columns("sa_book")}
    assert set(cols) == {"id", "title", "author_id"} and cols["title"]["nullable"] is False
    assert insp.get_pk_constraint("sa_book")["constrained_columns"] == ["id"]
    fks = insp.get_foreign_keys("sa_book")
    assert fks[0]["referred_table"] == "sa_author" and fks[0]["constrained_columns"] == ["author_id"]
    assert any(ix["column_names"] == ["name"] for ix in insp.get_indexes("sa_author"))
    name = {c["name"]: c for c in insp.get_columns("sa_author")}["name"]["type"]
    assert isinstance(name, VARCHAR) and name.length == 50


def test_string_lengths(engine) -> None:
    """String(50) is VARCHAR(50) in the database: reflected with its length, and enforced."""
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Author(id=50, name="x" * 51))
        with pytest.raises(DataError) as e:
            s.commit()
        assert e.value.orig.sqlstate == "22001"
        assert str(e.value.orig) == "value too long for type character varying(50)"
    with engine.connect() as c:
        c.execute(text("create table if not exists sa_codes (code char(3), label varchar(20), note text)"))
        c.commit()
    cols = {c["name"]: c["type"] for c in inspect(engine).get_columns("sa_codes")}
    assert isinstance(cols["code"], CHAR) and cols["code"].length == 3
    assert isinstance(cols["label"], VARCHAR) and cols["label"].length == 20
    assert isinstance(cols["note"], TEXT)


def test_pandas(engine) -> None:
    df = pd.DataFrame({"k": [1, 2, 3], "v": ["a", "b", "c"]})
    df.to_sql("sa_frame", engine, index=False, if_exists="replace")
    back = pd.read_sql("select k, v from sa_frame order by k", engine)
    assert back.to_dict("records") == df.to_dict("records")
