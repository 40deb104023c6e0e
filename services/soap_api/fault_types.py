"""The faults each operation declares in the WSDL (``wsdl:fault``), with their detail elements.

A WSDL-first toolkit (JAX-WS, .NET, node-soap, ...) generates one exception type per declared
fault and recognises it by the element inside the fault's ``detail``. So every core error has
its own detail element, declared here once; :func:`services.soap_api.faults.to_fault` writes
the element of the error it maps:

| core error | fault code | detail element |
|---|---|---|
| NotFound | Client.NotFound | ``resource`` (type, name) |
| InvalidArgument | Client.InvalidArgument | ``violations`` (violation: field, description) |
| FailedPrecondition | Client.FailedPrecondition | ``failedPrecondition`` |
| Unauthenticated | Client.Unauthenticated | ``unauthenticated`` |
| PermissionDenied | Client.PermissionDenied | ``permissionDenied`` |
| ResourceExhausted | Client.ResourceExhausted | ``resourceExhausted`` |
| StoreFull | Server.ResourceExhausted | ``storeFull`` |
| Internal | Server.Internal | ``internal`` |

These classes only declare the contract: the service raises plain Spyne faults built by
``to_fault``. SOAP's own faults (VersionMismatch, MustUnderstand) are not declared: WSDL 1.1
leaves them implicit.
"""

from __future__ import annotations

from spyne import ComplexModel, Fault, Unicode

from services.soap_api.xsd_types import TNS

# The detail element of each core error (the core's ``code``; StoreFull has its own).
DETAIL_ELEMENTS: dict[str, str] = {
    "NOT_FOUND": "resource",
    "INVALID_ARGUMENT": "violations",
    "FAILED_PRECONDITION": "failedPrecondition",
    "UNAUTHENTICATED": "unauthenticated",
    "PERMISSION_DENIED": "permissionDenied",
    "RESOURCE_EXHAUSTED": "resourceExhausted",
    "STORE_FULL": "storeFull",
    "INTERNAL": "internal",
}


class Violation(ComplexModel):
    """One invalid field, named as the core names it (``observations[3].temperature``)."""

    __namespace__ = TNS
    _type_info = (("field", Unicode(min_occurs=1)), ("description", Unicode(min_occurs=1)))


def _declared(core_code: str, doc: str, fields: tuple[tuple[str, object], ...] = ()
              ) -> type[Fault]:
    name = DETAIL_ELEMENTS[core_code]
    return type(f"{name[0].upper()}{name[1:]}Fault", (Fault,), {
        "__type_name__": name, "__namespace__": TNS, "__doc__": doc, "_type_info": fields})


NotFoundFault = _declared("NOT_FOUND", "Client.NotFound: the named resource does not exist.",
                          (("type", Unicode(min_occurs=1)), ("name", Unicode(min_occurs=1))))
InvalidArgumentFault = _declared(
    "INVALID_ARGUMENT", "Client.InvalidArgument: every invalid field (at most 100).",
    (("violation", Violation.customize(min_occurs=1, max_occurs="unbounded")),))
FailedPreconditionFault = _declared(
    "FAILED_PRECONDITION", "Client.FailedPrecondition: ifMatch names a stale version.")
UnauthenticatedFault = _declared(
    "UNAUTHENTICATED", "Client.Unauthenticated: no API key, an unknown one, or a replayed or "
                       "stale UsernameToken.")
PermissionDeniedFault = _declared(
    "PERMISSION_DENIED", "Client.PermissionDenied: this API key may read but not write.")
ResourceExhaustedFault = _declared(
    "RESOURCE_EXHAUSTED", "Client.ResourceExhausted: a size limit of the request.")
StoreFullFault = _declared(
    "STORE_FULL", "Server.ResourceExhausted: the store is full; nothing was written.")
InternalFault = _declared("INTERNAL", "Server.Internal: not the caller's fault.")

READ_FAULTS = (NotFoundFault, InvalidArgumentFault, ResourceExhaustedFault, InternalFault)
WRITE_FAULTS = (*READ_FAULTS, UnauthenticatedFault, PermissionDeniedFault, StoreFullFault)
CONDITIONAL_WRITE_FAULTS = (*WRITE_FAULTS, FailedPreconditionFault)
