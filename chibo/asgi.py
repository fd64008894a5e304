"""The ASGI app for uvicorn workers (`chibo serve`), built from the environment."""

from chibo.bootstrap import build_app
from chibo.settings import Settings

app = build_app(Settings.from_env())
