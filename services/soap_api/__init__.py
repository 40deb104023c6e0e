"""The SOAP 1.1 adapter (Spyne): document/literal wrapped at ``/soap``, WSDL at ``/soap?wsdl``.

``_compat`` is imported first, before any Spyne import: it makes Spyne 2.14 importable on
Python 3.12+ (and free of import warnings on 3.11).
"""

from services.soap_api import _compat  # noqa: F401  (must run before any spyne import)

PATH = "/soap"

from services.soap_api.app import create_app  # noqa: E402

__all__ = ["PATH", "create_app"]
