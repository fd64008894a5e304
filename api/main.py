"""The ASGI app for uvicorn workers, built from the environment."""

from api.app import create_app
from api.settings import Settings

app = create_app(Settings.from_env())
