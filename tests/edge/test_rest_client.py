"""The contract-driven REST client maps a request onto its http rule: path variables, body, query."""

from __future__ import annotations

import urllib.parse

import pytest
from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.customer.v1 import customer_pb2 as c

from tools.edge.rest import http_request

SERVICE = directory.DESCRIPTOR.services_by_name["CustomerDirectoryService"]
CUSTOMER_ID = "8b35f07d-8adf-44f1-9c3e-0a1b2c3d4e5f"


def test_a_body_field_rule_sends_that_field_as_the_body_and_the_rest_as_query():
    request = directory.RegisterCustomerRequest(customer=c.Customer(family_name="Hoffmann"), request_id="r-1")
    verb, path, body = http_request(SERVICE.methods_by_name["RegisterCustomer"], request)  # body: "customer"
    assert (verb, path) == ("POST", "/v1/customers?request_id=r-1")
    assert body == {"family_name": "Hoffmann"}


def test_body_star_sends_every_field_but_the_path_variables_in_the_body():
    request = directory.EraseCustomerRequest(customer_id=CUSTOMER_ID, request_id="r-2")
    verb, path, body = http_request(SERVICE.methods_by_name["EraseCustomer"], request)
    assert (verb, path) == ("POST", f"/v1/customers/{CUSTOMER_ID}:erase")
    assert body == {"request_id": "r-2"}


def test_get_puts_the_id_in_the_path_and_nothing_in_a_body():
    request = directory.RetrieveCustomerRequest(customer_id=CUSTOMER_ID)
    verb, path, body = http_request(SERVICE.methods_by_name["RetrieveCustomer"], request)
    assert (verb, path, body) == ("GET", f"/v1/customers/{CUSTOMER_ID}", None)


def test_get_sends_the_other_fields_as_query_parameters():
    request = directory.ListCustomersRequest(page_size=5, page_token="abc/+=")
    verb, path, body = http_request(SERVICE.methods_by_name["ListCustomers"], request)
    route, _, query = path.partition("?")
    assert (verb, route, body) == ("GET", "/v1/customers", None)
    assert urllib.parse.parse_qs(query) == {"page_size": ["5"], "page_token": ["abc/+="]}


def test_an_empty_path_variable_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="customer_id"):
        http_request(SERVICE.methods_by_name["RetrieveCustomer"], directory.RetrieveCustomerRequest())
