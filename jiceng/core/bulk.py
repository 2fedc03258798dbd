"""Bulk inserts for imports: rows as tuples in, all or nothing, no per-row ORM objects.

:func:`row_sink` returns a context manager that takes validated rows one at a time and writes
them in one transaction when :meth:`commit` is called, or nothing at all (:meth:`abandon`, or
leaving the block without committing):

* :class:`SpoolSink` (any database, and every import inside an outer transaction): rows are
  pickled to a temporary file in batches while the caller validates; ``commit`` then writes them
  in one transaction — ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite. The
  database is touched only once every row is known to be good, so SQLite (one writer) is locked
  only for the write itself.
* :class:`ThreadedCopySink` (PostgreSQL, large imports): a writer thread with its own connection
  streams the rows into one COPY *while* the caller is still validating later rows, so the server
  inserts and indexes on another core at the same time. The caller's connection stays free for its
  own queries (rule values, progress) — a query on the connection that is in the middle of a COPY
  would block. ``commit(after)`` ends the COPY and runs ``after()`` in the writer's transaction, so
  counters, audit and job status commit together with the rows; ``abandon`` rolls it all back.

Rows are tuples in the order of ``fields`` (concrete model fields, by ``attname``).
"""

import pickle
import queue
import tempfile
import threading

from django.db import connection, transaction

BATCH = 5000
IDLE_TIMEOUT = 300  # seconds a streaming COPY waits for the next batch before it gives up
_ABORT = object()


def insert_fields(model, exclude=("id",)) -> list:
    """Concrete fields of ``model`` in table order, without the auto primary key."""
    return [f for f in model._meta.concrete_fields if f.attname not in exclude and not f.primary_key]


def _copy_sql(model, fields) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return f"COPY {table} ({columns}) FROM STDIN"


class _Rollback(Exception):
    pass


class _Sink:
    def __init__(self, model, fields):
        self.model = model
        self.fields = list(fields)
        self.count = 0
        self.live = True
        self.committed = False

    def abandon(self) -> None:
        """Stop writing: a row was bad, so nothing of this import may be kept."""
        self.live = False

    def add_many(self, rows) -> None:
        for row in rows:
            self.add(row)


class SpoolSink(_Sink):
    """Spool rows to a temporary file; insert them all in one transaction on commit."""

    def __enter__(self):
        self._file = tempfile.TemporaryFile()
        self._batch: list[tuple] = []
        return self

    def add(self, row: tuple) -> None:
        if self.live:
            self._batch.append(row)
            self.count += 1
            if len(self._batch) >= BATCH:
                self._spill()

    def _spill(self) -> None:
        pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._batch = []

    def _batches(self):
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def commit(self, after=None):
        if not self.live:
            raise RuntimeError("an abandoned import cannot be committed")
        if self._batch:
            self._spill()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                self._copy()
            else:
                self._executemany()
            result = after() if after is not None else None
        self.committed = True
        return result

    def _copy(self) -> None:
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(_copy_sql(self.model, self.fields)) as copy,
        ):
            for batch in self._batches():
                for row in batch:
                    copy.write_row(row)

    def _executemany(self) -> None:
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        preps = [self._prep(f) for f in self.fields]
        with connection.cursor() as cursor:
            for batch in self._batches():
                if any(p is not None for p in preps):
                    batch = [
                        tuple(v if p is None or v is None else p(v) for p, v in zip(preps, row, strict=True))
                        for row in batch
                    ]
                cursor.executemany(sql, batch)

    @staticmethod
    def _prep(field):
        """The adapter Django would apply to this field's values on this database, or None."""
        internal = field.get_internal_type()
        ops = connection.ops
        if internal == "DateField":
            return ops.adapt_datefield_value
        if internal == "DateTimeField":
            return ops.adapt_datetimefield_value
        if internal == "DecimalField":
            return lambda v, f=field: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
        if internal == "BooleanField":
            return int
        return None

    def __exit__(self, exc_type, exc, tb):
        self._file.close()
        return False


class ThreadedCopySink(_Sink):
    """PostgreSQL: a writer thread streams the rows into COPY while the caller validates."""

    batch_size = 2000

    def __enter__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=8)  # bounded: memory stays flat
        self._batch: list[tuple] = []
        self._error: BaseException | None = None
        self._result = None
        self._after = None
        self._sql = _copy_sql(self.model, self.fields)
        self._thread = threading.Thread(target=self._write, name="excel-copy", daemon=True)
        self._thread.start()
        return self

    def add(self, row: tuple) -> None:
        if self.live:
            self._batch.append(row)
            self.count += 1
            if len(self._batch) >= self.batch_size:
                self._put(self._batch)
                self._batch = []

    def abandon(self) -> None:
        if self.live:
            self.live = False
            self._batch = []
            self._put(_ABORT, raise_error=False)

    def _put(self, item, raise_error: bool = True) -> None:
        while True:
            if not self._thread.is_alive():
                if self._error is not None and raise_error:
                    raise self._error
                return
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def commit(self, after=None):
        if not self.live:
            raise RuntimeError("an abandoned import cannot be committed")
        if self._batch:
            self._put(self._batch)
            self._batch = []
        self._after = after
        self._put(None)  # end of rows
        self._thread.join()
        if self._error is not None:
            raise self._error
        self.committed = True
        return self._result

    def _write(self) -> None:
        try:
            with transaction.atomic():
                with (
                    connection.cursor() as cursor,
                    connection.wrap_database_errors,
                    cursor.cursor.copy(self._sql) as copy,
                ):
                    write = copy.write_row
                    while True:
                        # A caller that stops feeding rows (crashed, hung) must not hold the COPY
                        # and its locks forever: give up after IDLE_TIMEOUT and roll back.
                        item = self._queue.get(timeout=IDLE_TIMEOUT)
                        if item is None:
                            break
                        if item is _ABORT:
                            raise _Rollback
                        for row in item:
                            write(row)
                if self._after is not None:
                    self._result = self._after()
        except _Rollback:
            pass
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        finally:
            connection.close()

    def __exit__(self, exc_type, exc, tb):
        if self._thread.is_alive():
            self.live = False
            self._put(_ABORT, raise_error=False)
            self._thread.join()
        return False


def row_sink(model, fields, stream: bool | None = None) -> _Sink:
    """An all-or-nothing sink. ``stream=None``: the writer thread on PostgreSQL outside any
    transaction (a thread's connection cannot see rows of the caller's open transaction),
    else the spool."""
    possible = connection.vendor == "postgresql" and not connection.in_atomic_block
    if stream is None:
        stream = possible
    return ThreadedCopySink(model, fields) if stream and possible else SpoolSink(model, fields)


def reset_sequences(*models) -> None:
    """Rows went in with explicit ids: move PostgreSQL's id sequences past them (no-op on SQLite)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
