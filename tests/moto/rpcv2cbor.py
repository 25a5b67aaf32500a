"""CloudWatch over Smithy RPC v2 CBOR for moto 5.2.5, which speaks only its JSON and query.

The AWS SDK for Rust sends CloudWatch requests in the rpc-v2-cbor protocol
(POST /service/GraniteServiceVersion20100801/operation/<Op>, CBOR body); moto
answers them with 404. This WSGI middleware turns such a request into the same
operation in the awsJson1_0 protocol moto implements (the protocol is only the
envelope: moto's CloudWatch backend does the work), and the JSON answer back
into CBOR, typed by botocore's model of the operation (timestamps tagged,
doubles as floats). Only what the SDK needs is decoded: definite and
indefinite maps, arrays and strings, integers, floats, booleans, null, tag 1.
"""

import io
import json
import math
import struct

import botocore.session

SERVICE = "GraniteServiceVersion20100801"
PREFIX = f"/service/{SERVICE}/operation/"
_MODEL = None


def _model():
    global _MODEL
    if _MODEL is None:
        _MODEL = botocore.session.get_session().get_service_model("cloudwatch")
    return _MODEL


# --- CBOR (RFC 8949), the subset rpc-v2-cbor uses --------------------------------


class _Tagged:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def _decode(stream):
    head = stream.read(1)
    if not head:
        raise ValueError("truncated CBOR")
    major, info = head[0] >> 5, head[0] & 0x1F
    if major == 7:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return struct.unpack(">e", stream.read(2))[0]
        if info == 26:
            return struct.unpack(">f", stream.read(4))[0]
        if info == 27:
            return struct.unpack(">d", stream.read(8))[0]
        if info == 31:
            return _BREAK
        raise ValueError(f"unsupported simple value {info}")
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(stream.read(size), "big")
    elif info == 31:
        arg = None  # indefinite length
    else:
        raise ValueError(f"bad additional info {info}")
    if major == 0:
        return arg
    if major == 1:
        return -1 - arg
    if major in (2, 3):
        if arg is None:
            chunks = []
            while (chunk := _decode(stream)) is not _BREAK:
                chunks.append(chunk)
            data = b"".join(c.encode() if isinstance(c, str) else c for c in chunks)
        else:
            data = stream.read(arg)
        return data if major == 2 else data.decode("utf-8")
    if major == 4:
        items = []
        while arg is None or len(items) < arg:
            item = _decode(stream)
            if item is _BREAK:
                break
            items.append(item)
        return items
    if major == 5:
        result = {}
        while arg is None or len(result) < arg:
            key = _decode(stream)
            if key is _BREAK:
                break
            result[key] = _decode(stream)
        return result
    if major == 6:
        return _Tagged(arg, _decode(stream))
    raise ValueError(f"unsupported major type {major}")


_BREAK = object()


def _head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _encode(value, out):
    if value is None:
        out += b"\xf6"
    elif value is True:
        out += b"\xf5"
    elif value is False:
        out += b"\xf4"
    elif isinstance(value, _Tagged):
        out += _head(6, value.tag)
        _encode(value.value, out)
    elif isinstance(value, int):
        out += _head(0, value) if value >= 0 else _head(1, -1 - value)
    elif isinstance(value, float):
        out += b"\xfb" + struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        out += _head(3, len(data)) + data
    elif isinstance(value, bytes):
        out += _head(2, len(value)) + value
    elif isinstance(value, list):
        out += _head(4, len(value))
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        out += _head(5, len(value))
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


# --- JSON <-> CBOR values, typed by the model ------------------------------------


def _to_json(value):
    """A decoded request as the JSON protocol carries it (timestamps as epoch seconds)."""
    if isinstance(value, _Tagged):
        return _to_json(value.value)
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _typed(value, shape):
    """A JSON answer as CBOR values of the output shape's types."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {
            k: _typed(v, shape.members.get(k)) for k, v in value.items() if v is not None
        }
    if kind == "list":
        return [_typed(v, shape.member) for v in value]
    if kind == "map":
        return {k: _typed(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return _Tagged(1, float(value))
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    return value


def middleware(app):
    def cbor_app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return app(environ, start_response)
        operation = path[len(PREFIX):]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        params = _to_json(_decode(io.BytesIO(raw))) if raw else {}
        body = json.dumps(params).encode()
        environ = dict(environ)
        environ["PATH_INFO"] = "/"
        environ["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["HTTP_X_AMZ_TARGET"] = f"{SERVICE}.{operation}"
        environ["wsgi.input"] = io.BytesIO(body)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        answer = b"".join(app(environ, capture))
        status = captured["status"]
        document = json.loads(answer) if answer.strip() else {}
        if status.startswith("2"):
            shape = _model().operation_model(operation).output_shape
            document = _typed(document, shape) if shape is not None else {}
        out = bytearray()
        _encode(document, out)
        headers = [
            (k, v)
            for k, v in captured["headers"]
            if k.lower() not in ("content-type", "content-length")
        ]
        headers += [
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(out))),
            ("smithy-protocol", "rpc-v2-cbor"),
        ]
        start_response(status, headers)
        return [bytes(out)]

    return cbor_app
