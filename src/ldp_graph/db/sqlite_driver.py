"""SQLite through aiosqlite with one thread hop per statement.

aiosqlite runs each sqlite3 call on the connection's own thread; SQLAlchemy's adaptation of it
makes four such calls for every statement (open a cursor, execute, fetch all, close the
cursor), and a session's BEGIN is a statement of its own. Every hop costs a queue put, a GIL
hand-off and a wake-up of the event loop, which under concurrent small requests cost more than
the statements. Here a statement is one call on that thread: execute, fetch every row and close
the cursor together. A plain `BEGIN` (a read transaction: `engine._sqlite_begin`) is not sent
alone but ahead of the transaction's first statement, in its hop; SQLite's deferred BEGIN takes
no lock and no snapshot until that statement reads, so nothing anyone could observe changes. A
transaction that ends before any statement ran ends without a hop: it never began in SQLite.
`BEGIN IMMEDIATE` (a write transaction) still goes when it is issued, as it takes the write lock.

Used through `create_async_engine(url, module=dbapi())` with the ordinary `sqlite+aiosqlite`
URL; server-side cursors keep SQLAlchemy's own.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

_DEFERRED_BEGIN = "BEGIN"


def _run(
    connection: sqlite3.Connection,
    begin: str | None,
    operation: str,
    parameters: Any,
    many: bool,
) -> tuple[Any, list[Any], int, int | None]:
    """On the connection's thread: (BEGIN,) the statement, all its rows, its counts."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor:
    """A DB-API cursor whose statement runs, and whose rows arrive, in one hop."""

    server_side = False
    __slots__ = ("_adapt_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapt_connection: OneHopConnection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def execute(self, operation: str, parameters: Any = None) -> None:
        connection = self._adapt_connection
        if operation == _DEFERRED_BEGIN and not parameters:
            connection.pending_begin = operation
            self.description, self.rowcount = None, -1
            self._rows.clear()
            return
        self._hop(operation, parameters, many=False)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._hop(operation, seq_of_parameters, many=True)

    def _hop(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection = self._adapt_connection
        begin, connection.pending_begin = connection.pending_begin, None
        driver = connection._connection
        try:
            result = await_(driver._execute(_run, driver._conn, begin, operation, parameters, many))
        except Exception as error:
            connection._handle_exception(error)
        self.description, rows, self.rowcount, self.lastrowid = result
        self._rows = deque(rows)

    async def _async_soft_close(self) -> None:
        """Nothing to do: the driver's cursor was closed in the statement's hop."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *_sizes: Any) -> None:
        pass

    def nextset(self) -> None:
        return None

    def __enter__(self) -> OneHopCursor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        count = min(self.arraysize if size is None else size, len(rows))
        return [rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection with one-hop cursors and a deferred plain BEGIN."""

    __slots__ = ("pending_begin",)
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None

    def _in_transaction(self) -> bool:
        if self.pending_begin is not None:
            self.pending_begin = None  # the transaction never began in SQLite
            return False
        # Read on this thread: no statement of this connection is running (each was awaited),
        # so SQLite's autocommit flag is settled. The pool's reset after a session's rollback
        # thus costs nothing.
        driver = self._connection._connection
        return driver is None or driver.in_transaction

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def close(self) -> None:
        self.pending_begin = None
        super().close()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
