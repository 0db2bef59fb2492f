"""退管通 retiree-desk."""

__version__ = "0.1.0"
APP_NAME = "retiree-desk"
APP_TITLE = "退管通"
