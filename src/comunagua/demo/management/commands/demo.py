"""`comunagua demo`: load the demo committees and serve them.

comunagua demo                       migrate, load, print the logins, serve on 127.0.0.1:8000
comunagua demo --no-serve            migrate and load only
comunagua demo --addrport 0.0.0.0:8000
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from comunagua.demo import loader
from comunagua.demo.committees import MAIN_SLUG, PASSWORD


class Command(BaseCommand):
    help = "Carga los comités de demostración (borra y vuelve a crear) y los sirve."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Solo cargar los datos, sin levantar el servidor.",
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="Dirección y puerto del servidor (por defecto 127.0.0.1:8000).",
        )

    def handle(self, *args, no_serve: bool, addrport: str, **options):
        # `make demo` migrates first; doing it here too makes `comunagua demo` work on an
        # empty database.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Cargando los datos de demostración…")
        result = loader.load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Datos de demostración cargados en {result['seconds']} s.")
        )
        self.stdout.write("")
        self.stdout.write(
            f"Usuarios de demostración (contraseña «{PASSWORD}»), comité {MAIN_SLUG}:"
        )
        width = max(len(username) for username, _ in result["logins"]) + 2
        self.stdout.write(f"  {'usuario'.ljust(width)}{'rol'.ljust(28)}contraseña")
        for username, label in result["logins"]:
            self.stdout.write(f"  {username.ljust(width)}{label.ljust(28)}{PASSWORD}")
        self.stdout.write("")
        url = f"http://{_display_host(addrport)}/"
        self.stdout.write(f"Entrar en {url}  (comité: {url}{MAIN_SLUG}/)")
        if no_serve:
            return
        call_command("runserver", addrport, use_reloader=False)


def _display_host(addrport: str) -> str:
    if ":" not in addrport:
        return f"127.0.0.1:{addrport}" if addrport.isdigit() else addrport
    host, port = addrport.rsplit(":", 1)
    if host in {"", "0.0.0.0", "0", "::", "[::]"}:
        host = "127.0.0.1"
    return f"{host}:{port}"
