#!/usr/bin/python3
"""skylane operator console: submit, inspect, cancel and watch missions, manage restrictions.

A small client of skylaned's gRPC API (docs/service.md) using only Debian's python3-grpcio and
python3-protobuf: the message classes are generated at build time by `protoc --python_out`
into <build>/python (found through $SKYLANE_PYTHONPATH, --proto-path or ../build/*/python), and
methods are called by their full names, so grpc_tools is not needed.

Prints JSON on stdout. On an RPC error prints {"code", "reason", "message"} on stderr and exits
1 (usage errors exit 64).
"""
import argparse
import datetime as dt
import glob
import json
import os
import re
import sys
import time


def _import_messages(proto_path):
    candidates = []
    if proto_path:
        candidates.append(proto_path)
    if os.environ.get("SKYLANE_PYTHONPATH"):
        candidates.append(os.environ["SKYLANE_PYTHONPATH"])
    here = os.path.dirname(os.path.abspath(__file__))
    candidates += sorted(glob.glob(os.path.join(here, "..", "build", "*", "python")))
    for c in candidates:
        if os.path.exists(os.path.join(c, "skylane", "v1", "types_pb2.py")):
            sys.path.insert(0, c)
            break
    try:
        global grpc, json_format, types_pb2, mission_pb2, airspace_pb2, reference_pb2
        import grpc  # noqa: F401
        from google.protobuf import json_format  # noqa: F401
        from skylane.v1 import types_pb2  # noqa: F401
        from skylane.v1 import mission_service_pb2 as mission_pb2  # noqa: F401
        from skylane.v1 import airspace_service_pb2 as airspace_pb2  # noqa: F401
        from skylane.v1 import reference_service_pb2 as reference_pb2  # noqa: F401
    except ImportError as e:
        sys.stderr.write(
            "operator_console: cannot import the skylane.v1 messages (%s); build the "
            "skylane_proto_python target and pass --proto-path <build>/python or set "
            "SKYLANE_PYTHONPATH\n" % e)
        sys.exit(66)


class UsageError(Exception):
    pass


def parse_time_ms(text, what):
    """'now', '+15m' / '+2h' / '+90s' (from now), Unix seconds, or ISO 8601 (naive = UTC)."""
    if text is None:
        return None
    t = text.strip()
    now_ms = int(time.time() * 1000)
    if t == "now":
        return now_ms
    m = re.fullmatch(r"\+(\d+(?:\.\d+)?)([smh])", t)
    if m:
        scale = {"s": 1000, "m": 60_000, "h": 3_600_000}[m.group(2)]
        return now_ms + int(float(m.group(1)) * scale)
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return int(float(t) * 1000)
    try:
        d = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("%s '%s': expected now, +Nm, Unix seconds or ISO 8601" % (what, text))
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return int(d.timestamp() * 1000)


_POINT = re.compile(r"\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*")


def endpoint(text):
    e = types_pb2.Endpoint()
    m = _POINT.fullmatch(text)
    if m:
        e.point.lon_deg = float(m.group(1))
        e.point.lat_deg = float(m.group(2))
    else:
        e.vertiport = text
    return e


def parse_ring(args):
    if args.box:
        parts = [float(v) for v in args.box.split(",")]
        if len(parts) != 4:
            raise UsageError("--box expects MINLON,MINLAT,MAXLON,MAXLAT")
        w, s, e, n = parts
        return [(w, s), (e, s), (e, n), (w, n)]
    if args.ring is None:
        raise UsageError("restrict add needs --ring 'LON,LAT;LON,LAT;...' or --box")
    ring = []
    for p in args.ring.split(";"):
        if not p.strip():
            continue
        m = _POINT.fullmatch(p)
        if not m:
            raise UsageError("--ring point '%s' is not LON,LAT" % p)
        ring.append((float(m.group(1)), float(m.group(2))))
    return ring


def to_json(msg):
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


class Client:
    def __init__(self, target, token, ca, timeout_s):
        if ca:
            with open(ca, "rb") as f:
                creds = grpc.ssl_channel_credentials(root_certificates=f.read())
            self.channel = grpc.secure_channel(target, creds)
        else:
            self.channel = grpc.insecure_channel(target)
        self.metadata = [("authorization", "Bearer " + token)] if token is not None else []
        self.timeout_s = timeout_s

    def unary(self, service, method, request, response_cls):
        call = self.channel.unary_unary(
            "/skylane.v1.%s/%s" % (service, method),
            request_serializer=type(request).SerializeToString,
            response_deserializer=response_cls.FromString)
        return call(request, metadata=self.metadata, timeout=self.timeout_s)

    def stream(self, service, method, request, response_cls, timeout_s):
        call = self.channel.unary_stream(
            "/skylane.v1.%s/%s" % (service, method),
            request_serializer=type(request).SerializeToString,
            response_deserializer=response_cls.FromString)
        return call(request, metadata=self.metadata, timeout=timeout_s)


def cmd_submit(c, a):
    req = mission_pb2.SubmitMissionRequest(request_id=a.request_id or "")
    spec = req.mission
    spec.origin.CopyFrom(endpoint(a.origin))
    spec.destination.CopyFrom(endpoint(a.destination))
    spec.payload_kg = a.payload_kg
    spec.vehicle_class = a.vehicle_class
    spec.priority = a.priority
    depart = parse_time_ms(a.depart, "--depart")
    if depart is not None:
        spec.earliest_departure_unix_ms = depart
    deadline = parse_time_ms(a.deadline, "--deadline")
    if deadline is not None:
        spec.deadline_unix_ms = deadline
    m = c.unary("MissionService", "SubmitMission", req, types_pb2.Mission)
    out = to_json(m)
    if a.summary:
        out = summarise(m)
    print(json.dumps(out, indent=None if a.compact else 2))


def summarise(m):
    s = {"id": m.id, "state": types_pb2.MissionState.Name(m.state), "reason": m.reason}
    if m.HasField("plan"):
        s.update(vehicle_class=m.plan.vehicle_class, legs=len(m.plan.legs),
                 departure_unix_ms=m.plan.departure_unix_ms,
                 arrival_unix_ms=m.plan.arrival_unix_ms, distance_m=m.plan.distance_m,
                 energy_wh=m.plan.energy_wh)
    return s


def cmd_get(c, a):
    m = c.unary("MissionService", "GetMission", mission_pb2.GetMissionRequest(id=a.id),
                types_pb2.Mission)
    print(json.dumps(summarise(m) if a.summary else to_json(m), indent=2))


def cmd_list(c, a):
    req = mission_pb2.ListMissionsRequest(page_size=a.page_size, page_token=a.page_token or "")
    if a.state:
        req.state = types_pb2.MissionState.Value("MISSION_STATE_" + a.state.upper())
    out = []
    while True:
        resp = c.unary("MissionService", "ListMissions", req, mission_pb2.ListMissionsResponse)
        out += [summarise(m) if a.summary else to_json(m) for m in resp.missions]
        if not a.all or not resp.next_page_token:
            break
        req.page_token = resp.next_page_token
    print(json.dumps({"missions": out, "next_page_token": "" if a.all else resp.next_page_token},
                     indent=2))


def cmd_cancel(c, a):
    m = c.unary("MissionService", "CancelMission", mission_pb2.CancelMissionRequest(id=a.id),
                types_pb2.Mission)
    print(json.dumps(summarise(m), indent=2))


def cmd_watch(c, a):
    req = mission_pb2.WatchMissionsRequest(all_operators=a.all_operators)
    if a.after_seq is not None:
        req.after_seq = a.after_seq
    n = 0
    stream = c.stream("MissionService", "WatchMissions", req, types_pb2.MissionEvent, a.timeout)
    try:
        for ev in stream:
            print(json.dumps(to_json(ev)), flush=True)
            n += 1
            if a.count and n >= a.count:
                stream.cancel()
                break
    except grpc.RpcError as e:
        # The watch ending at its own --timeout is the normal way out.
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED and e.code() != grpc.StatusCode.CANCELLED:
            raise


def cmd_restrict(c, a):
    if a.action == "add":
        r = types_pb2.Restriction(name=a.name, kind=a.kind, floor_m=a.floor_m,
                                  ceiling_m=a.ceiling_m)
        for lon, lat in parse_ring(a):
            r.ring.add(lon_deg=lon, lat_deg=lat)
        ref = types_pb2.ALTITUDE_REFERENCE_AMSL if a.amsl else types_pb2.ALTITUDE_REFERENCE_AGL
        r.floor_reference = ref
        r.ceiling_reference = ref
        r.active_from_unix_ms = parse_time_ms(a.active_from, "--active-from") or 0
        if a.active_to:
            r.active_to_unix_ms = parse_time_ms(a.active_to, "--active-to")
        resp = c.unary("AirspaceService", "AddRestriction",
                       airspace_pb2.AddRestrictionRequest(restriction=r),
                       airspace_pb2.AddRestrictionResponse)
        print(json.dumps(to_json(resp), indent=2))
    elif a.action == "remove":
        if a.id is None:
            raise UsageError("restrict remove needs --id")
        resp = c.unary("AirspaceService", "RemoveRestriction",
                       airspace_pb2.RemoveRestrictionRequest(id=a.id), types_pb2.Restriction)
        print(json.dumps(to_json(resp), indent=2))
    else:
        resp = c.unary("AirspaceService", "ListRestrictions",
                       airspace_pb2.ListRestrictionsRequest(page_size=1000),
                       airspace_pb2.ListRestrictionsResponse)
        print(json.dumps(to_json(resp), indent=2))


def cmd_vertiports(c, a):
    resp = c.unary("ReferenceService", "ListVertiports", reference_pb2.ListVertiportsRequest(),
                   reference_pb2.ListVertiportsResponse)
    print(json.dumps(to_json(resp), indent=2))


def cmd_classes(c, a):
    resp = c.unary("ReferenceService", "ListVehicleClasses",
                   reference_pb2.ListVehicleClassesRequest(),
                   reference_pb2.ListVehicleClassesResponse)
    print(json.dumps(to_json(resp), indent=2))


def build_parser():
    p = argparse.ArgumentParser(prog="operator_console.py", description=__doc__.split("\n")[0],
                                allow_abbrev=False)
    p.add_argument("--target", default=os.environ.get("SKYLANE_TARGET", "127.0.0.1:50051"),
                   help="skylaned HOST:PORT (default $SKYLANE_TARGET or 127.0.0.1:50051)")
    p.add_argument("--token", default=None,
                   help="bearer token (default $SKYLANE_TOKEN, else --token-file)")
    p.add_argument("--token-file", default=None,
                   help="file holding the token (e.g. skylaned's generated local token)")
    p.add_argument("--ca", default=None, help="PEM CA bundle: connect with TLS")
    p.add_argument("--timeout", type=float, default=30.0, help="per-call deadline, seconds")
    p.add_argument("--proto-path", default=None, help="<build>/python with skylane/v1/*_pb2.py")
    p.add_argument("--compact", action="store_true", help="one-line JSON")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("submit", help="plan and commit a mission")
    s.add_argument("--from", dest="origin", required=True, help="vertiport name or LON,LAT")
    s.add_argument("--to", dest="destination", required=True, help="vertiport name or LON,LAT")
    s.add_argument("--payload-kg", type=float, required=True)
    s.add_argument("--class", dest="vehicle_class", default="any")
    s.add_argument("--depart", default=None, help="now, +Nm, Unix seconds or ISO 8601")
    s.add_argument("--deadline", default=None, help="landed by: now, +Nm, Unix s or ISO 8601")
    s.add_argument("--priority", type=int, default=0)
    s.add_argument("--request-id", default=None, help="idempotency key")
    s.add_argument("--summary", action="store_true", help="id, state and plan totals only")
    s.set_defaults(func=cmd_submit)

    g = sub.add_parser("get", help="one mission")
    g.add_argument("id", type=int)
    g.add_argument("--summary", action="store_true")
    g.set_defaults(func=cmd_get)

    ls = sub.add_parser("list", help="missions, ascending id")
    ls.add_argument("--state", default=None, help="pending, planned, active, completed, ...")
    ls.add_argument("--page-size", type=int, default=100)
    ls.add_argument("--page-token", default=None)
    ls.add_argument("--all", action="store_true", help="follow every page")
    ls.add_argument("--summary", action="store_true")
    ls.set_defaults(func=cmd_list)

    cn = sub.add_parser("cancel", help="cancel a mission")
    cn.add_argument("id", type=int)
    cn.set_defaults(func=cmd_cancel)

    w = sub.add_parser("watch", help="stream mission events (one JSON object per line)")
    w.add_argument("--after-seq", type=int, default=None, help="replay events after this seq")
    w.add_argument("--all-operators", action="store_true", help="airspace authority only")
    w.add_argument("--count", type=int, default=0, help="stop after N events")
    w.add_argument("--timeout", type=float, default=None, help="stop after this many seconds")
    w.set_defaults(func=cmd_watch)

    r = sub.add_parser("restrict", help="airspace restrictions (airspace authority)")
    r.add_argument("action", choices=["add", "remove", "list"])
    r.add_argument("--id", type=int, default=None, help="remove: restriction id")
    r.add_argument("--name", default="")
    r.add_argument("--kind", default="temporary")
    r.add_argument("--ring", default=None, help="'LON,LAT;LON,LAT;LON,LAT[;...]'")
    r.add_argument("--box", default=None, help="MINLON,MINLAT,MAXLON,MAXLAT")
    r.add_argument("--floor-m", type=float, default=0.0)
    r.add_argument("--ceiling-m", type=float, default=10000.0)
    r.add_argument("--amsl", action="store_true", help="floor/ceiling AMSL (default AGL)")
    r.add_argument("--active-from", default=None)
    r.add_argument("--active-to", default=None)
    r.set_defaults(func=cmd_restrict)

    sub.add_parser("vertiports", help="vertiports of the map").set_defaults(func=cmd_vertiports)
    sub.add_parser("classes", help="vehicle classes").set_defaults(func=cmd_classes)
    return p


def main(argv=None):
    parser = build_parser()
    a = parser.parse_args(argv)
    _import_messages(a.proto_path)
    token = a.token if a.token is not None else os.environ.get("SKYLANE_TOKEN")
    if token is None and a.token_file:
        with open(a.token_file) as f:
            token = f.readline().strip()
    client = Client(a.target, token, a.ca, a.timeout)
    try:
        a.func(client, a)
    except UsageError as e:
        sys.stderr.write("operator_console: %s\n" % e)
        return 64
    except grpc.RpcError as e:
        reason = ""
        for k, v in (e.trailing_metadata() or ()):
            if k == "skylane-reason":
                reason = v
        sys.stderr.write(json.dumps({"code": e.code().name, "reason": reason,
                                     "message": e.details()}) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
