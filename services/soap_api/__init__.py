"""The SOAP 1.1 adapter (Spyne): document/literal wrapped at ``/soap``, WSDL at ``/soap?wsdl``.

``_compat`` is imported first: it makes Spyne 2.14 importable on Python 3.12+.
"""

from services.soap_api import _compat  # noqa: F401  (must run before any spyne import)
from services.soap_api.app import create_app

__all__ = ["create_app"]
