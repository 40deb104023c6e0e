"""The web app's server over HTTP (no browser): the page, its files, its configuration, its
security headers, and clean refusals; and that the shipped files reach for no address but the
configuration's."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.config import Settings
from services.supervisor import ServerProcess
from services.web.addresses import connect_sources, page_config
from services.web.app import STATIC_DIR, content_security_policy

VENDOR_SCRIPTS = Path(__file__).parents[2] / "scripts" / "web_vendor"
# What each kind of shipped file must be served as (spelled here, not taken from the server).
EXPECTED_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
    ".ico": "image/x-icon", ".binpb": "application/octet-stream",
}
# Absolute URLs the page's code may contain that are names, not addresses: the XML namespaces
# of a SOAP envelope and its WS-Security header, and SVG's.
XML_NAMESPACES = ("http://schemas.xmlsoap.org/soap/envelope/", "http://docs.oasis-open.org/wss/",
                  "http://www.w3.org/")
URL = re.compile(r"\b(?:https?|wss?)://[^\s\"'`)<>]*", re.IGNORECASE)
LOADED = (".js", ".mjs", ".css", ".html")  # the files a page loads (LICENSES.txt is a document)


@pytest.fixture(scope="module")
def web(web_stack: dict[str, ServerProcess]) -> ServerProcess:
    return web_stack["web"]


@pytest.fixture(scope="module")
def http(web: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://{web.address}", timeout=10.0) as client:
        yield client


@pytest.fixture(scope="module")
def address(web: ServerProcess) -> dict[str, str]:
    """Where the stack's servers listen (the settings every one of them was started with)."""
    return {name: f"{web.settings.host}:{port}" for name, port in web.settings.ports.items()}


def static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())


def test_the_page_is_html(http: httpx.Client) -> None:
    response = http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == (STATIC_DIR / "index.html").read_bytes()


def test_the_configuration_names_the_servers_of_the_stack(
        http: httpx.Client, address: dict[str, str]) -> None:
    assert http.get("/config.json").json() == {
        "rest": f"http://{address['rest']}/",
        "openapi": f"http://{address['rest']}/openapi.json",
        "restDocs": f"http://{address['rest']}/docs",
        "graphql": f"http://{address['graphql']}/graphql",
        "graphqlWs": f"ws://{address['graphql']}/graphql",
        "graphiql": f"http://{address['graphql']}/graphql",
        "soap": f"http://{address['soap']}/soap",
        "wsdl": f"http://{address['soap']}/soap?wsdl",
        "grpcWeb": f"http://{address['grpc-web']}",
        "grpc": address["grpc"],
        "hostFromPage": False,
    }


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    return {name: values for name, *values in
            (part.split() for part in response.headers["content-security-policy"].split(";"))}


def test_the_security_policy_allows_only_the_page_and_the_configured_servers(
        http: httpx.Client, address: dict[str, str]) -> None:
    for path in ("/", "/config.json", "/static/js/api/rest.js", "/no-such-page"):
        response = http.get(path)
        policy = _policy(response)
        assert policy["default-src"] == ["'none'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert sorted(policy["connect-src"]) == sorted([
            "'self'", f"http://{address['rest']}", f"http://{address['graphql']}",
            f"ws://{address['graphql']}", f"http://{address['soap']}",
            f"http://{address['grpc-web']}"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_every_packaged_file_is_served_with_its_type(http: httpx.Client) -> None:
    files = static_files()
    assert any(p.suffix == ".js" for p in files) and any(p.suffix == ".binpb" for p in files)
    for path in files:
        response = http.get(f"/static/{path.relative_to(STATIC_DIR).as_posix()}")
        assert response.status_code == 200, path
        assert response.headers["content-type"] == EXPECTED_TYPES[path.suffix], path
        assert response.content == path.read_bytes(), path


def test_the_vendor_bundle_is_cached_and_the_rest_revalidated(http: httpx.Client) -> None:
    vendor = http.get("/static/vendor/vendor.js")
    assert vendor.headers["cache-control"] == "public, max-age=86400"
    for path in ("/", "/config.json", "/static/js/api/exchange.js"):
        response = http.get(path)
        assert response.headers["cache-control"] == "no-cache", path
    etag = http.get("/static/js/api/rest.js").headers["etag"]
    again = http.get("/static/js/api/rest.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/nope", "/static/nope.js", "/static/", "/static",
                                  "/static/js", "/static/%2e%2e/server.py",
                                  "/static/..%2fserver.py", "/config.json/x", "/index.html"])
def test_an_unknown_path_is_not_found(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.text == "404 Not Found\n"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/"), ("PUT", "/config.json"), ("DELETE", "/static/js/api/rest.js"),
    ("POST", "/static/vendor/vendor.js"), ("PATCH", "/static/nope.js"), ("OPTIONS", "/"),
])
def test_a_method_other_than_get_is_not_allowed(http: httpx.Client, method: str,
                                                path: str) -> None:
    response = http.request(method, path, content=b"{}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.text == "405 Method Not Allowed\n"


def test_head_answers_like_get_without_a_body(http: httpx.Client) -> None:
    response = http.head("/static/js/api/rest.js")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"


def _code(text: str) -> str:
    """``text`` without its comments (line and block), where a documentation link may be."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    return "\n".join(re.sub(r"(^|\s)//.*$", "", line) for line in text.splitlines())


def test_no_shipped_file_reaches_for_an_address_of_its_own() -> None:
    """Every address the page calls comes from /config.json: no file it loads names one
    (no CDN, no font service, no hard-wired server)."""
    found = []
    for path in static_files():
        if path.suffix not in LOADED:
            continue
        for url in URL.findall(_code(path.read_text(encoding="utf-8"))):
            if not url.startswith(XML_NAMESPACES):
                found.append(f"{path.relative_to(STATIC_DIR)}: {url}")
    assert found == []


def test_the_address_check_sees_a_url_in_code_but_not_in_a_comment() -> None:
    code = _code('// see https://example.com/docs\nfetch("https://cdn.example.com/x.js");\n'
                 "/* https://example.com/a */ const a = 'ws://h:1/';\n")
    assert URL.findall(code) == ["https://cdn.example.com/x.js", "ws://h:1/"]


def test_servers_on_every_address_let_the_page_name_the_host() -> None:
    settings = Settings.from_env({}).with_overrides(host="0.0.0.0", rest=9000)
    config = page_config(settings)
    assert config["hostFromPage"] is True and config["rest"] == "http://0.0.0.0:9000/"
    # the policy names the host the browser reached the web app by, or any host when the
    # Host header is no plain host name
    assert connect_sources(settings, "weather.example:8080")[0] == "http://weather.example:9000"
    policy = content_security_policy(settings, "bad host; script-src *")
    assert "http://*:9000" in policy and "bad" not in policy


def test_the_vendor_bundle_rebuilds_to_the_committed_bytes(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (Debian: apt-get install nodejs npm)")
    if not (VENDOR_SCRIPTS / "node_modules" / "esbuild").is_dir():
        pytest.skip("the bundler is not installed (run: cd scripts/web_vendor && npm ci)")
    subprocess.run([node, "build.mjs", "--out", str(tmp_path)], cwd=VENDOR_SCRIPTS, check=True,
                   capture_output=True, timeout=120)
    for name in ("vendor.js", "uPlot.min.css", "LICENSES.txt"):
        assert (tmp_path / name).read_bytes() == (STATIC_DIR / "vendor" / name).read_bytes(), name
