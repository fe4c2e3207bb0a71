"""The hostile proxy changes what it is told to, and nothing else."""

import time

import pytest
import requests

from integrations.simulators.hostile import HostileControl


@pytest.fixture
def upstream(http_server):
    # http_server answers every GET with this body (its URL ends in the Magento WSDL path).
    url = http_server(b"<answer><id>801</id><name>Ann</name><at>http://UPSTREAM</at></answer>", "text/xml")
    return url.split("/api/")[0]


def test_without_rules_it_forwards_and_points_answers_at_itself(upstream, hostile):
    proxy = hostile(upstream)
    answer = requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5)
    assert answer.status_code == 200 and b"<id>801</id>" in answer.content
    seen = HostileControl(proxy.url).seen()
    assert seen[-1]["path"] == "/api/v2_soap/?wsdl=1"


def test_headers_status_and_body_are_rewritten_as_many_times_as_asked(upstream, hostile):
    proxy = hostile(upstream)
    proxy.control.rules(
        {
            "path": "wsdl",
            "times": 1,
            "headers": {"Date": "Fri, 01 Jan 2100 00:00:00 GMT"},
            "replace": [{"pattern": "<id>801</id>", "with": "<id>100000</id>"}, {"pattern": "Ann", "with": "{big:20}"}],
        }
    )
    first = requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5)
    assert first.headers["Date"] == "Fri, 01 Jan 2100 00:00:00 GMT"
    assert b"<id>100000</id>" in first.content and b"<name>" + b"x" * 20 + b"</name>" in first.content
    second = requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5)
    assert b"<id>801</id>" in second.content  # times: 1


def test_a_redirect_is_answered_without_asking_the_upstream(upstream, hostile):
    proxy = hostile(upstream)
    proxy.control.rules({"status": 307, "location": "http://127.0.0.2:9/steal"})
    answer = requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5, allow_redirects=False)
    assert (answer.status_code, answer.headers["Location"]) == (307, "http://127.0.0.2:9/steal")


def test_a_cut_answer_ends_short_of_its_length(upstream, hostile):
    proxy = hostile(upstream)
    proxy.control.rules({"cut_after": 10})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5)


def test_a_dripping_answer_takes_a_delay_per_byte(upstream, hostile):
    proxy = hostile(upstream)
    proxy.control.rules({"drip": 0.01, "replace": [{"pattern": ".*", "with": "0123456789", "count": 1}]})
    began = time.monotonic()
    answer = requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5)
    # At least the nine pauses between ten bytes (a lower bound: sleeping never takes less).
    assert answer.content.startswith(b"0123456789") and time.monotonic() - began >= 0.09


def test_an_endless_answer_goes_on_until_the_client_stops_reading(upstream, hostile):
    proxy = hostile(upstream)
    proxy.control.rules({"endless": True})
    with requests.get(f"{proxy.url}/api/v2_soap/?wsdl=1", timeout=5, stream=True) as answer:
        received = 0
        for chunk in answer.iter_content(65536):
            received += len(chunk)
            if received > 5 * 1024 * 1024:
                break
    assert received > 5 * 1024 * 1024


def test_unknown_rule_fields_are_refused(upstream, hostile):
    proxy = hostile(upstream)
    answer = requests.post(f"{proxy.url}/_hostile/rules", json=[{"bogus": 1}], timeout=5)
    assert answer.status_code == 400 and "bogus" in answer.json()["error"]
