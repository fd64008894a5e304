"""The ASGI app for uvicorn workers (`chibo serve`), built from the environment."""

from chibo.bootstrap import build_app
from chibo.logging_setup import configure_logging
from chibo.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_format)
app = build_app(settings)
