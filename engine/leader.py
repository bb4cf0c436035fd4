"""Leader election for the distributed scheduler: one PostgreSQL advisory lock.

The lock belongs to a dedicated database connection, so it lives exactly as long as the
leader: a leader that dies (or loses the database) releases it, and a standby's next try takes
it. The key is derived from the schema name, so two deployments sharing a database elect their
leaders apart. The holder and its heartbeat are written to `scheduler_leader` for /healthz.
On SQLite (one machine, embedded mode) there is nothing to elect: the caller always leads.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from .clock import Clock
from .models import SchedulerLeader

log = logging.getLogger(__name__)

LOCK_KEY = "hashtextextended(current_schema() || '/diagflow-scheduler', 0)"


def this_process() -> str:
    """Who holds the lock, as operators read it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaderLock:
    def __init__(self, db: Engine, sessions: sessionmaker[Session], clock: Clock, name: str = "scheduler") -> None:
        self._db = db
        self._sessions = sessions
        self._clock = clock
        self.name = name
        self.holder = this_process()
        self._connection: Connection | None = None
        self._since: datetime | None = None

    @property
    def is_leader(self) -> bool:
        return self._since is not None

    def try_lead(self) -> bool:
        """Keep or take the lock and record a heartbeat; False while another process leads."""
        if self._db.dialect.name != "postgresql":
            leading = True
        elif self._connection is not None:
            leading = self._still_connected(self._connection)
        else:
            leading = self._acquire()
        if leading and self._since is None:
            self._since = self._clock.now()
            log.info("%s leads the %s", self.holder, self.name)
        if leading:
            self._heartbeat()
        return leading

    def _acquire(self) -> bool:
        connection = self._db.connect().execution_options(isolation_level="AUTOCOMMIT")
        connection.detach()  # its own: closing it really closes, so the lock cannot linger in the pool
        try:
            taken = connection.scalar(text(f"SELECT pg_try_advisory_lock({LOCK_KEY})"))
        except DBAPIError:
            connection.close()
            raise
        if taken:
            self._connection = connection
            return True
        connection.close()
        return False

    def _still_connected(self, connection: Connection) -> bool:
        """The lock is ours while its connection lives; a lost connection means we stopped leading."""
        try:
            connection.scalar(text("SELECT 1"))
            return True
        except DBAPIError:
            log.warning("%s lost its lock connection; no longer the %s leader", self.holder, self.name)
            connection.invalidate()
            self._connection = None
            self._since = None
            return False

    def _heartbeat(self) -> None:
        now = self._clock.now()
        with self._sessions.begin() as session:
            row = session.get(SchedulerLeader, self.name)
            if row is None:
                row = SchedulerLeader(name=self.name)
                session.add(row)
            if row.holder != self.holder:
                row.holder, row.acquired_at = self.holder, self._since
            row.heartbeat_at = now

    def release(self) -> None:
        """Give the lock up (clean shutdown); a killed process releases it by losing its connection.

        The unlock is explicit because closing the connection frees the lock only when the server's
        backend has exited, a moment later: a standby asking at once would still find it taken.
        """
        if self._connection is not None:
            try:
                self._connection.scalar(text(f"SELECT pg_advisory_unlock({LOCK_KEY})"))
            except DBAPIError:
                log.warning("%s lost its lock connection before unlocking; the server frees the lock", self.holder)
            self._connection.close()
            self._connection = None
        self._since = None


def current_leader(sessions: sessionmaker[Session], name: str = "scheduler") -> SchedulerLeader | None:
    with sessions() as session:
        return session.scalar(select(SchedulerLeader).where(SchedulerLeader.name == name))


def is_stale(leader: SchedulerLeader, now: datetime, retry_seconds: float) -> bool:
    """A heartbeat older than three retry intervals: the leader is gone and no standby took over."""
    return now - leader.heartbeat_at > timedelta(seconds=3 * retry_seconds)
