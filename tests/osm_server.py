"""A small local stand-in for an Overpass API server, for tests of downloads (no internet).

:class:`OverpassServer` serves the data of one OSM XML file on ``http://127.0.0.1:<free port>/api``:

* ``GET /api/status`` answers like Overpass (slots available, so osmnx does not pause);
* ``POST``/``GET /api/interpreter`` evaluates the subset of Overpass QL that osmnx sends —
  statements ``node|way|relation`` with tag filters (``["k"]``, ``["k"="v"]``, ``["k"!="v"]``,
  ``["k"~"re"]``, ``["k"!~"re"]``, ``[!"k"]``, single or double quotes) and a ``(poly:"lat lon
  ...")`` area (its bounding box is used), recursed down (``>``) to the ways' nodes and the
  relations' members — and answers Overpass JSON.

Every request is recorded in :attr:`OverpassServer.requests` as ``(method, path)``.

Examples
--------
>>> with OverpassServer("tests/data/alleys_estate.osm") as server:  # doctest: +SKIP
...     ox.settings.overpass_url = server.url
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

STATUS = (
    "Connected as: 2130706433\n"
    "Current time: 2024-05-01T00:00:00Z\n"
    "Announced endpoint: none\n"
    "Rate limit: 2\n"
    "2 slots available now.\n"
    "Currently running queries (pid, space limit, time limit, start time):\n"
)
_STATEMENT = re.compile(r"\b(node|way|relation)((?:\[[^\]]*\])*)\(poly:\s*['\"]([^'\"]*)['\"]\)")
_CONDITION = re.compile(
    r"\[\s*(!?)\s*['\"]([^'\"]+)['\"]\s*(?:(!=|!~|=|~)\s*['\"]([^'\"]*)['\"])?\s*\]"
)


def osm_xml_elements(path: str | Path) -> dict[str, dict[int, dict]]:
    """Parse an OSM XML file into Overpass JSON elements by type and id."""
    root = ET.parse(path).getroot()
    out: dict[str, dict[int, dict]] = {"node": {}, "way": {}, "relation": {}}
    for el in root:
        if el.tag not in out:
            continue
        tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
        item: dict = {"type": el.tag, "id": int(el.get("id"))}
        if el.tag == "node":
            item.update(lat=float(el.get("lat")), lon=float(el.get("lon")))
        elif el.tag == "way":
            item["nodes"] = [int(nd.get("ref")) for nd in el.findall("nd")]
        else:
            item["members"] = [
                {"type": m.get("type"), "ref": int(m.get("ref")), "role": m.get("role", "")}
                for m in el.findall("member")
            ]
        if tags:
            item["tags"] = tags
        out[el.tag][item["id"]] = item
    return out


def _matches(tags: dict, conditions: list[tuple[str, str, str, str]]) -> bool:
    for neg, key, op, value in conditions:
        present = key in tags
        if neg:
            ok = not present
        elif not op:
            ok = present
        elif op == "=":
            ok = present and tags[key] == value
        elif op == "!=":
            ok = not present or tags[key] != value
        elif op == "~":
            ok = present and re.search(value, tags[key]) is not None
        else:  # "!~"
            ok = not present or re.search(value, tags[key]) is None
        if not ok:
            return False
    return True


class OverpassServer:
    """A threaded HTTP server answering osmnx's Overpass queries from an OSM XML file.

    Parameters
    ----------
    osm_file : path
        The OSM XML file whose data the server holds.
    """

    def __init__(self, osm_file: str | Path) -> None:
        self.data = osm_xml_elements(osm_file)
        self.requests: list[tuple[str, str]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The Overpass API base URL (for ``osmnx.settings.overpass_url``)."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/api"

    def start(self) -> OverpassServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                server.requests.append(("GET", parsed.path))
                if parsed.path.endswith("/status"):
                    self._send(200, STATUS, "text/plain")
                elif parsed.path.endswith("/interpreter"):
                    query = parse_qs(parsed.query).get("data", [""])[0]
                    self._answer(query)
                else:
                    self._send(404, "not found", "text/plain")

            def do_POST(self) -> None:
                parsed = urlparse(self.path)
                server.requests.append(("POST", parsed.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                if not parsed.path.endswith("/interpreter"):
                    self._send(404, "not found", "text/plain")
                    return
                self._answer(parse_qs(body).get("data", [""])[0])

            def _answer(self, query: str) -> None:
                try:
                    result = server.query(query)
                except ValueError as exc:
                    self._send(400, f"Error: {exc}", "text/plain")
                    return
                self._send(200, json.dumps(result), "application/json")

            def _send(self, code: int, text: str, ctype: str) -> None:
                data = text.encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OverpassServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the query language subset ----------------------------------------------------------------
    def query(self, text: str) -> dict:
        """Evaluate an osmnx Overpass query; return Overpass JSON."""
        statements = _STATEMENT.findall(text)
        if not statements:
            raise ValueError(f"no supported statement in query {text[:200]!r}")
        found: dict[str, set[int]] = {"node": set(), "way": set(), "relation": set()}
        nodes = self.data["node"]
        for kind, filters, poly in statements:
            conditions = _CONDITION.findall(filters)
            coords = [float(v) for v in poly.split()]
            lats, lons = coords[0::2], coords[1::2]
            box = (min(lons), min(lats), max(lons), max(lats))

            def inside(nid: int, box: tuple = box) -> bool:
                n = nodes.get(nid)
                return (
                    n is not None and box[0] <= n["lon"] <= box[2] and box[1] <= n["lat"] <= box[3]
                )

            for eid, el in self.data[kind].items():
                if not _matches(el.get("tags", {}), conditions):
                    continue
                if kind == "node":
                    hit = inside(eid)
                elif kind == "way":
                    hit = any(inside(n) for n in el["nodes"])
                else:
                    hit = any(
                        (m["type"] == "node" and inside(m["ref"]))
                        or (
                            m["type"] == "way"
                            and m["ref"] in self.data["way"]
                            and any(inside(n) for n in self.data["way"][m["ref"]]["nodes"])
                        )
                        for m in el["members"]
                    )
                if hit:
                    found[kind].add(eid)
        # recurse down: relations -> members, ways -> nodes
        for rid in list(found["relation"]):
            for m in self.data["relation"][rid]["members"]:
                if m["ref"] in self.data.get(m["type"], {}):
                    found[m["type"]].add(m["ref"])
        for wid in list(found["way"]):
            found["node"].update(n for n in self.data["way"][wid]["nodes"] if n in nodes)
        elements = [self.data[k][i] for k in ("node", "way", "relation") for i in sorted(found[k])]
        return {
            "version": 0.6,
            "generator": "BeatMap test Overpass stand-in",
            "osm3s": {"timestamp_osm_base": "2024-05-01T00:00:00Z"},
            "elements": elements,
        }


@contextlib.contextmanager
def serve_extract(osm_file: str | Path) -> Iterator[str]:
    """Serve ``osm_file`` with an :class:`OverpassServer`; yield its Overpass API URL.

    Examples
    --------
    >>> with serve_extract("tests/data/alleys_estate.osm") as url:  # doctest: +SKIP
    ...     ox.settings.overpass_url = url
    """
    with OverpassServer(osm_file) as server:
        yield server.url
