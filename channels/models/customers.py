from django.db import models

from channels.models.base import RemoteRecord, id_order


class CustomerGroup(RemoteRecord):
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["integration", *id_order()]
        constraints = [models.UniqueConstraint(fields=["integration", "remote_id"], name="customer_group_binding")]

    def __str__(self) -> str:
        return self.name


class Customer(RemoteRecord):
    """A registered store customer (remote_id set) or a guest made from orders (guest_key set)."""

    class Gender(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"

    is_guest = models.BooleanField(default=False, db_index=True)
    guest_key = models.CharField(max_length=512, null=True, blank=True, editable=False)
    email = models.CharField(max_length=255, blank=True, db_index=True)
    prefix = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    middle_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    birthday = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=8, choices=Gender.choices, blank=True)
    vat = models.CharField("VAT", max_length=255, blank=True)
    # A business customer (OroCommerce's customers are companies; their people order as customer users).
    company_name = models.CharField(max_length=255, blank=True)
    payment_term = models.CharField(max_length=255, blank=True)
    website = models.ForeignKey("channels.Website", null=True, blank=True, on_delete=models.SET_NULL)
    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.SET_NULL)
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL)
    created_in = models.CharField(max_length=255, blank=True)
    confirmed = models.BooleanField(default=True)
    # The back-office person behind the store customer: kept when the channel goes, found again by email.
    account = models.ForeignKey(
        "channels.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    contact = models.ForeignKey(
        "channels.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    remote_created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The customer's figures, kept up to date from their orders by channels.stats after each synced
    # page (a list sorted by lifetime value cannot sum a million orders per view). Lifetime value is
    # counted in one currency, that of the customer's orders; orders in another are not added in.
    order_count = models.PositiveIntegerField(default=0, db_index=True)
    lifetime_value = models.DecimalField(max_digits=16, decimal_places=4, default=0, db_index=True)
    lifetime_currency = models.CharField(max_length=3, blank=True)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-remote_created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "remote_id"], name="customer_binding"),
            models.UniqueConstraint(fields=["integration", "guest_key"], name="guest_customer_key"),
        ]
        indexes = [
            models.Index(fields=["integration", "is_guest"]),
            # The customer list sorts by name (last, then first).
            models.Index(fields=["last_name", "first_name"], name="customer_name"),
        ]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return f"{name} <{self.email}>" if name else self.email or f"Customer #{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.prefix, self.first_name, self.middle_name, self.last_name, self.suffix) if p)


class AddressFields(models.Model):
    """Postal address fields shared by customer and order addresses."""

    prefix = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    middle_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    street = models.CharField(max_length=500, blank=True)
    street2 = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=64, blank=True)
    region_text = models.CharField(max_length=255, blank=True)
    region_id = models.IntegerField(null=True, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    phone = models.CharField(max_length=255, blank=True)
    fax = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True

    def one_line(self) -> str:
        parts = [self.street, self.street2, self.city, self.postal_code, self.region_text, self.country_code]
        return ", ".join(p for p in parts if p)


class CustomerAddress(AddressFields):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    remote_id = models.CharField(max_length=255, null=True, blank=True)
    is_default_billing = models.BooleanField(default=False)
    is_default_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["customer", "pk"]
        verbose_name_plural = "customer addresses"

    def __str__(self) -> str:
        return self.one_line()
