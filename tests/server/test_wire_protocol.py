"""The sans-IO core, byte for byte: message codec and the connection state machine."""

from __future__ import annotations

import struct

import pytest

from lakebox.server import messages as m
from lakebox.server.protocol import AUTHENTICATING, CLOSED, NEED_DATA, ServerProtocol


def startup_packet(params: dict[str, str], version: int = m.PROTOCOL_VERSION) -> bytes:
    body = struct.pack("!i", version) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def msg(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def ready(protocol: ServerProtocol) -> ServerProtocol:
    protocol.receive_data(startup_packet({"user": "u", "database": "d"}))
    assert isinstance(protocol.next_event(), m.StartupMessage)
    protocol.authenticated()
    return protocol


def events(protocol: ServerProtocol) -> list:
    out = []
    while (event := protocol.next_event()) is not NEED_DATA:
        out.append(event)
    return out


# --------------------------------------------------------------------------- startup


def test_startup_message_is_parsed_with_its_parameters():
    p = ServerProtocol()
    p.receive_data(startup_packet({"user": "alice", "database": "dev", "options": "-c search_path=x"}))
    event = p.next_event()
    assert event == m.StartupMessage(196608, {"user": "alice", "database": "dev", "options": "-c search_path=x"})
    assert p.phase == AUTHENTICATING


def test_startup_arrives_byte_by_byte():
    p = ServerProtocol()
    data = startup_packet({"user": "bob"})
    for i in range(len(data) - 1):
        p.receive_data(data[i:i + 1])
        assert p.next_event() is NEED_DATA
    p.receive_data(data[-1:])
    assert p.next_event().parameters == {"user": "bob"}


def test_ssl_gssenc_and_cancel_requests():
    p = ServerProtocol()
    p.receive_data(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
    assert isinstance(p.next_event(), m.SSLRequest)
    p.receive_data(b"\x00\x00\x00\x08\x04\xd2\x16\x30")
    assert isinstance(p.next_event(), m.GSSENCRequest)
    c = ServerProtocol()
    c.receive_data(b"\x00\x00\x00\x10\x04\xd2\x16\x2e" + struct.pack("!ii", 4242, 777))
    assert c.next_event() == m.CancelRequest(4242, 777)
    assert c.phase == CLOSED


def test_bytes_after_ssl_request_are_a_violation():
    p = ServerProtocol()
    p.receive_data(b"\x00\x00\x00\x08\x04\xd2\x16\x2f" + startup_packet({"user": "x"}))
    with pytest.raises(m.ProtocolViolation, match="unencrypted data after SSL request"):
        p.next_event()


@pytest.mark.parametrize("data, match", [
    (b"\x00\x00\x00\x02", "invalid length of startup packet"),
    (b"\x7f\xff\xff\xff", "invalid length of startup packet"),
    (startup_packet({"user": "x"}, version=2 << 16), "unsupported frontend protocol 2.0"),
    (startup_packet({"database": "x"}), "no PostgreSQL user name"),
    (struct.pack("!ii", 12, m.PROTOCOL_VERSION) + b"user", "unterminated string"),
])
def test_malformed_startup_packets(data, match):
    p = ServerProtocol()
    p.receive_data(data)
    with pytest.raises(m.ProtocolViolation, match=match):
        p.next_event()
    assert p.phase == CLOSED


def test_only_password_messages_during_authentication():
    p = ServerProtocol()
    p.receive_data(startup_packet({"user": "u"}))
    p.next_event()
    p.receive_data(msg(b"Q", b"select 1\0"))
    with pytest.raises(m.ProtocolViolation, match="expected password response"):
        p.next_event()


# --------------------------------------------------------------------------- messages


def test_query_parse_bind_describe_execute_sync():
    p = ready(ServerProtocol())
    bind_body = (b"p1\0s1\0" + struct.pack("!h", 1) + struct.pack("!h", 1) + struct.pack("!h", 2)
                 + struct.pack("!i", 4) + struct.pack("!i", 7) + struct.pack("!i", -1)
                 + struct.pack("!hh", 1, 1))
    p.receive_data(msg(b"Q", b"select 1\0")
                   + msg(b"P", b"s1\0select $1, $2\0" + struct.pack("!hII", 2, 23, 0))
                   + msg(b"B", bind_body)
                   + msg(b"D", b"Pp1\0")
                   + msg(b"E", b"p1\0" + struct.pack("!i", 10))
                   + msg(b"C", b"Ss1\0") + msg(b"H") + msg(b"S") + msg(b"X"))
    assert events(p) == [
        m.Query("select 1"),
        m.Parse("s1", "select $1, $2", [23, 0]),
        m.Bind("p1", "s1", [1], [struct.pack("!i", 7), None], [1]),
        m.Describe("P", "p1"),
        m.Execute("p1", 10),
        m.Close("S", "s1"),
        m.Flush(),
        m.Sync(),
        m.Terminate(),
    ]
    assert p.phase == CLOSED


@pytest.mark.parametrize("data, match", [
    (msg(b"Q", b"select 1"), "unterminated string"),
    (msg(b"Q", b"a\0b\0"), "unexpected trailing bytes"),
    (msg(b"B", b"\0\0" + struct.pack("!h", 5)), "truncated"),
    (msg(b"B", b"\0\0\0\0" + struct.pack("!hi", 1, -7) + b"\0\0"), "negative parameter length"),
    (msg(b"B", b"\0\0" + struct.pack("!hh", 1, 9) + b"\0\0\0\0"), "unsupported format code"),
    (msg(b"D", b"Xname\0"), "subtype"),
    (msg(b"E", b"p\0\0\0"), "truncated"),
    (msg(b"S", b"junk"), "has a body"),
    (msg(b"Q", b"\xff\xfe\0"), "invalid UTF-8"),
    (b"Q\x00\x00\x00\x02", "invalid message length"),
    (b"?\x00\x00\x00\x04", "invalid frontend message type 63"),
])
def test_malformed_messages_raise_protocol_violations(data, match):
    p = ready(ServerProtocol())
    p.receive_data(data)
    with pytest.raises(m.ProtocolViolation, match=match):
        p.next_event()
    assert p.phase == CLOSED


def test_truncated_message_waits_for_the_rest():
    p = ready(ServerProtocol())
    whole = msg(b"Q", b"select 42\0")
    p.receive_data(whole[:7])
    assert p.next_event() is NEED_DATA
    p.receive_data(whole[7:])
    assert p.next_event() == m.Query("select 42")


def test_after_an_extended_protocol_error_messages_are_skipped_until_sync():
    p = ready(ServerProtocol())
    p.receive_data(msg(b"P", b"\0bad sql\0\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") + msg(b"E", b"\0\0\0\0\0")
                   + msg(b"S") + msg(b"Q", b"select 1\0"))
    assert isinstance(p.next_event(), m.Parse)
    p.send_error(m.ErrorFields("ERROR", "42601", "syntax error"))
    assert p.skipping
    assert p.next_event() == m.Sync()  # Bind and Execute were discarded
    assert not p.skipping
    assert p.next_event() == m.Query("select 1")


def test_an_error_in_a_simple_query_does_not_skip():
    p = ready(ServerProtocol())
    p.receive_data(msg(b"Q", b"x\0") + msg(b"Q", b"y\0"))
    p.next_event()
    p.send_error(m.ErrorFields("ERROR", "42601", "syntax error"))
    assert p.next_event() == m.Query("y")


# --------------------------------------------------------------------------- backend messages, byte for byte


def test_backend_messages_byte_for_byte():
    assert m.authentication_ok() == b"R\x00\x00\x00\x08\x00\x00\x00\x00"
    assert m.authentication_md5(b"abcd") == b"R\x00\x00\x00\x0c\x00\x00\x00\x05abcd"
    assert m.authentication_sasl(["SCRAM-SHA-256"]) == b"R\x00\x00\x00\x17\x00\x00\x00\x0aSCRAM-SHA-256\x00\x00"
    assert m.parameter_status("TimeZone", "UTC") == b"S\x00\x00\x00\x11TimeZone\x00UTC\x00"
    assert m.backend_key_data(1, 2) == b"K\x00\x00\x00\x0c\x00\x00\x00\x01\x00\x00\x00\x02"
    assert m.ready_for_query("I") == b"Z\x00\x00\x00\x05I"
    assert m.ready_for_query("E") == b"Z\x00\x00\x00\x05E"
    assert m.command_complete("SELECT 3") == b"C\x00\x00\x00\x0dSELECT 3\x00"
    assert m.empty_query_response() == b"I\x00\x00\x00\x04"
    assert m.portal_suspended() == b"s\x00\x00\x00\x04"
    assert m.parse_complete() + m.bind_complete() + m.close_complete() + m.no_data() == \
        b"1\x00\x00\x00\x042\x00\x00\x00\x043\x00\x00\x00\x04n\x00\x00\x00\x04"
    assert m.parameter_description([23, 25]) == b"t\x00\x00\x00\x0e\x00\x02\x00\x00\x00\x17\x00\x00\x00\x19"
    assert m.row_description([m.FieldDescription("a", 23, 4)]) == (
        b"T\x00\x00\x00\x1a\x00\x01a\x00" + b"\x00\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x17"
        + b"\x00\x04" + b"\xff\xff\xff\xff" + b"\x00\x00")
    assert m.data_row([b"1", None]) == b"D\x00\x00\x00\x0f\x00\x02\x00\x00\x00\x011\xff\xff\xff\xff"
    assert m.error_response(m.ErrorFields("ERROR", "42P01", "nope")) == (
        b"E\x00\x00\x00\x20SERROR\x00VERROR\x00C42P01\x00Mnope\x00\x00")
    assert m.copy_out_response(2) == b"H\x00\x00\x00\x0b\x00\x00\x02\x00\x00\x00\x00"
    assert m.copy_data(b"1\t2\n") == b"d\x00\x00\x00\x081\t2\n"
    assert m.copy_done() == b"c\x00\x00\x00\x04"


def test_sasl_and_password_bodies():
    body = b"SCRAM-SHA-256\x00" + struct.pack("!i", 5) + b"n,,n="
    assert m.parse_sasl_initial(body) == m.SASLInitialResponse("SCRAM-SHA-256", b"n,,n=")
    assert m.parse_password(b"md5abc\x00") == "md5abc"
    with pytest.raises(m.ProtocolViolation):
        m.parse_sasl_initial(b"SCRAM-SHA-256\x00" + struct.pack("!i", 50) + b"short")


def test_output_is_buffered_until_drained():
    p = ready(ServerProtocol())
    p.send_ready("T")
    p.send(m.command_complete("BEGIN"))
    assert p.pending_output == 6 + 11
    assert p.data_to_send() == b"Z\x00\x00\x00\x05TC\x00\x00\x00\x0aBEGIN\x00"
    assert p.data_to_send() == b""
