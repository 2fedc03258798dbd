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
  The COPY is cut into statements of ``segment_rows`` rows, after each of which the deferred
  foreign keys are checked, so PostgreSQL does that work while the caller validates, not at COMMIT.

``binary=True`` (opt-in, for callers whose rows hold values of each column's type) makes the COPY
binary: about a third of the client CPU of text COPY.

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


def _copy_sql(model, fields, binary: bool = False) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return f"COPY {table} ({columns}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")


def copy_types(fields, conn=None) -> list[str] | None:
    """PostgreSQL type names of ``fields`` for a binary COPY, or None if one is not a built-in
    type psycopg knows (then the COPY stays in text format)."""
    conn = conn or connection
    conn.ensure_connection()
    registry = conn.connection.adapters.types
    names = []
    for field in fields:
        db_type = field.db_type(conn)
        if not db_type:
            return None
        name = db_type.split("(", 1)[0].strip()  # varchar(50) → varchar, numeric(10, 2) → numeric
        try:
            registry[name]
        except KeyError:
            return None
        names.append(name)
    return names


def _start_copy(cursor, model, fields, binary: bool):
    """``cursor.copy(...)`` in binary format when asked for and every column's type is known.

    Binary COPY costs about a third of the client CPU of text (no text formatting and escaping of
    every value) and a little less on the server (no parsing of dates and numbers); it needs the
    Python values to be of the column's type already (date for date, Decimal for numeric, …),
    which a caller that validated its rows guarantees, so it is opt-in.
    """
    types = copy_types(fields) if binary else None
    copy = cursor.copy(_copy_sql(model, fields, binary=types is not None))
    return copy, types


class _Rollback(Exception):
    pass


class _Sink:
    def __init__(self, model, fields, binary: bool = False):
        self.model = model
        self.fields = list(fields)
        self.binary = binary
        self.count = 0
        self.live = True
        self.committed = False

    def abandon(self) -> None:
        """Stop writing: a row was bad, so nothing of this import may be kept."""
        self.live = False

    def add(self, row: tuple) -> None:
        raise NotImplementedError  # each sink writes a row its own way

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
        with connection.cursor() as cursor, connection.wrap_database_errors:
            copy, types = _start_copy(cursor.cursor, self.model, self.fields, self.binary)
            with copy as writer:
                if types is not None:
                    writer.set_types(types)
                self._copy_rows(writer)

    def _copy_rows(self, copy) -> None:
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
    # Rows per COPY statement. Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so
    # PostgreSQL checks them at COMMIT, one lookup per key per row, after the caller has
    # finished: about 3 s for 560,000 members, with the caller's core idle. Between COPY
    # statements the writer has the checks of the rows so far run at once (SET CONSTRAINTS ALL
    # IMMEDIATE, then back to DEFERRED), while the caller is still validating later rows; the
    # checks themselves and the all-or-nothing outcome are the same.
    segment_rows = 50_000
    queue_batches = 24  # bounded (24 × 2000 rows): memory stays flat while a segment is checked

    def __enter__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=self.queue_batches)
        self._batch: list[tuple] = []
        self._error: BaseException | None = None
        self._result = None
        self._after = None
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
                with connection.cursor() as cursor, connection.wrap_database_errors:
                    while True:
                        copy, types = _start_copy(cursor.cursor, self.model, self.fields, self.binary)
                        with copy as writer:
                            if types is not None:
                                writer.set_types(types)
                            more = self._stream(writer)
                        if not more:
                            break
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                if self._after is not None:
                    self._result = self._after()
        except _Rollback:
            pass
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        finally:
            connection.close()

    def _stream(self, copy) -> bool:
        """Rows from the queue into ``copy`` until the end (False) or a full segment (True)."""
        write = copy.write_row
        written = 0
        while written < self.segment_rows:
            # A caller that stops feeding rows (crashed, hung) must not hold the COPY and its
            # locks forever: give up after IDLE_TIMEOUT and roll back.
            item = self._queue.get(timeout=IDLE_TIMEOUT)
            if item is None:
                return False
            if item is _ABORT:
                raise _Rollback
            for row in item:
                write(row)
            written += len(item)
        return True

    def __exit__(self, exc_type, exc, tb):
        if self._thread.is_alive():
            self.live = False
            self._put(_ABORT, raise_error=False)
            self._thread.join()
        return False


def row_sink(model, fields, stream: bool | None = None, binary: bool = False) -> _Sink:
    """An all-or-nothing sink. ``stream=None``: the writer thread on PostgreSQL outside any
    transaction (a thread's connection cannot see rows of the caller's open transaction),
    else the spool. ``binary``: COPY in binary format (PostgreSQL; rows must hold values of
    each column's type, see :func:`_start_copy`)."""
    possible = connection.vendor == "postgresql" and not connection.in_atomic_block
    if stream is None:
        stream = possible
    sink = ThreadedCopySink if stream and possible else SpoolSink
    return sink(model, fields, binary=binary)


def reset_sequences(*models) -> None:
    """Rows went in with explicit ids: move PostgreSQL's id sequences past them (no-op on SQLite)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
