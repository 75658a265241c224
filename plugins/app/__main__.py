"""`python -m plugins.app`: start the app (plugins/app/ui.py); `make app` runs this."""

from plugins.app.ui import main

main()
