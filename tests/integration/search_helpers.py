"""A small client for checking the search engine from the test side (the
persons and the posts index tests)."""

import json
import urllib.error
import urllib.request


class Engine:
    def __init__(self, url):
        self.url = url

    def req(self, method, path, body=None):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        r = urllib.request.Request(self.url + path, data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(r, timeout=60) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def ok(self, method, path, body=None):
        status, doc = self.req(method, path, body)
        assert status == 200, (method, path, status, doc)
        return doc

    def alias_targets(self, alias):
        """Concrete indices behind ALIAS ([] if none; [alias] if concrete)."""
        status, doc = self.req("GET", f"/{alias}/_alias")
        return [] if status == 404 else sorted(doc)

    def indices(self, alias):
        """Every index whose name starts with ALIAS."""
        return sorted(r["index"] for r in self.ok("GET", f"/_cat/indices/{alias}*?format=json&h=index"))

    def count(self, target):
        return self.ok("GET", f"/{target}/_count")["count"]

    def docs(self, target):
        """[(_id, _source)] of every document, by _id."""
        hits = self.ok("POST", f"/{target}/_search",
                       {"size": 10000, "query": {"match_all": {}}})["hits"]["hits"]
        return sorted(((h["_id"], h["_source"]) for h in hits), key=lambda x: x[0])

    def search_ids(self, target, query):
        hits = self.ok("POST", f"/{target}/_search", {"size": 10000, "query": query})["hits"]["hits"]
        return sorted(h["_id"] for h in hits)
