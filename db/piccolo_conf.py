"""Piccolo's configuration module (PICCOLO_CONF=db.piccolo_conf).

``DB`` starts from CHIBO_DATABASE_URL; ``db.migrate.bind`` replaces it with the running engine so
Piccolo's migration machinery, which asks this module, uses the same connections as the app.
"""

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from db.engine import Timeouts, engine_for

DB: Engine = engine_for(  # type: ignore[type-arg]
    os.environ.get("CHIBO_DATABASE_URL", "sqlite:///var/chibo.sqlite3"), Timeouts()
)

APP_REGISTRY = AppRegistry(apps=["db.piccolo_app"])
