"""The people of the demo and what they send: typed contract messages, nothing hand-written as JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fintech.common.v1 import money_pb2
from fintech.customer.v1 import customer_pb2 as c
from fintech.risk.v1 import credit_assessment_pb2 as credit
from google.protobuf import timestamp_pb2
from google.type import date_pb2

# A branch of the (fictional) bank; tellers register customers for their own branch only.
BRANCH = "3f1c9a52-7b0e-4d6a-9c21-5e8f0b7a4d13"


@dataclass(frozen=True)
class Person:
    given_names: str
    family_name: str
    born: tuple[int, int, int]
    city: str
    street: str
    postal_code: str
    country: str = "DE"

    @property
    def name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def customer(self, run: str) -> c.Customer:
        """The directory record a teller registers; the document number is unique per demo run."""
        number = "C" + "".join("CFGHJKLMNPRTVWXYZ0123456789"[b % 27] for b in uuid.uuid4().bytes[:8])
        # A birth year of its own per run: each run meets new customers (same name and birth date = duplicate).
        year, month, day = self.born
        year -= int(run, 16) % 30
        return c.Customer(
            given_names=self.given_names,
            family_name=self.family_name,
            date_of_birth=date_pb2.Date(year=year, month=month, day=day),
            place_of_birth=self.city,
            country_of_birth=self.country,
            nationality=self.country,
            residential_address=c.PostalAddress(
                address_lines=[self.street], locality=self.city, postal_code=self.postal_code, country_code=self.country
            ),
            identity_document=c.IdentityDocument(
                document_type=c.IDENTITY_DOCUMENT_TYPE_PASSPORT,
                document_number=number,
                issuing_country=self.country,
                issue_date=date_pb2.Date(year=2021, month=4, day=1),
                expiry_date=date_pb2.Date(year=2031, month=3, day=31),
            ),
            email=f"{self.given_names.lower()}.{self.family_name.lower()}+{run}@example.com",
            phone_number="+4915112345689",
            branch_id=BRANCH,
            onboarding_channel=c.ONBOARDING_CHANNEL_BRANCH,
        )


ALICE = Person("Alice", "Hoffmann", (1988, 5, 17), "Köln", "Heidestraße 17", "51147")
BOB = Person("Bob", "Schneider", (1979, 11, 2), "Bonn", "Poppelsdorfer Allee 40", "53115")


def eur(minor: int) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=minor, currency_code="EUR")


def credit_application(customer_id: str) -> credit.CreditApplication:
    """A salaried applicant asking for a car loan: the kind of file a loan officer sees daily."""
    submitted = timestamp_pb2.Timestamp()
    submitted.GetCurrentTime()
    return credit.CreditApplication(
        application_id=str(uuid.uuid4()),
        customer_id=customer_id,
        applicant=credit.CreditApplicant(
            annual_income=eur(5_800_000),
            existing_debt=eur(420_000),
            monthly_debt_payments=eur(31_000),
            employment_status=credit.EMPLOYMENT_STATUS_FULL_TIME,
            employment_months=74,
            housing_status=credit.HOUSING_STATUS_RENTING,
            credit_history_months=142,
            open_credit_lines=3,
            past_defaults=0,
            recent_delinquencies=0,
            age_band=credit.AGE_BAND_FROM_35_TO_44,
        ),
        requested_amount=eur(1_800_000),
        term_months=48,
        purpose=credit.CREDIT_PURPOSE_VEHICLE,
        submit_time=submitted,
    )


# Merchants at other banks that the compromised card is tested against (fictional IBANs, valid check digits).
MERCHANTS = [
    ("DE89370400440532013000", "COBADEFFXXX", "Webshop Nord GmbH"),
    ("FR1420041010050500013M02606", "BNPAFRPPXXX", "Boutique Lumière SARL"),
    ("NL91ABNA0417164300", "ABNANL2AXXX", "Digitale Diensten BV"),
]


def money(value: money_pb2.Money) -> str:
    return f"{value.amount_minor / 100:,.2f} {value.currency_code}"
