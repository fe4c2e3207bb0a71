"""Fixed store configuration and vocabularies the generator draws from.

The store layout mirrors a typical multi-website Magento 1 installation: one website per market,
one store group per website, a store view per language. Region ids are Magento's own
`directory_country_region` ids so that region lookups on the Oro side resolve.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Website:
    website_id: int
    code: str
    name: str
    sort_order: int
    default_group_id: int
    is_default: bool
    base_currency: str
    base_to_global_rate: str
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Store:
    store_id: int
    code: str
    website_id: int
    group_id: int
    group_name: str
    name: str
    sort_order: int
    is_active: int


WEBSITES: tuple[Website, ...] = (
    Website(1, "base", "Main Website", 0, 1, True, "USD", "1.0000", ("US", "CA")),
    Website(2, "eu", "Europe", 10, 2, False, "EUR", "1.0850", ("DE", "FR", "NL", "ES", "AT")),
    Website(3, "uk", "United Kingdom", 20, 3, False, "GBP", "1.2650", ("GB",)),
)
WEBSITE_WEIGHTS = (60, 28, 12)

STORES: tuple[Store, ...] = (
    Store(1, "default", 1, 1, "Main Store", "Default Store View", 0, 1),
    Store(2, "us_es", 1, 1, "Main Store", "Spanish (US)", 10, 1),
    Store(3, "eu_en", 2, 2, "Europe Store", "Europe English", 0, 1),
    Store(4, "eu_de", 2, 2, "Europe Store", "Deutsch", 10, 1),
    Store(5, "eu_fr", 2, 2, "Europe Store", "Français", 20, 1),
    Store(6, "uk_en", 3, 3, "UK Store", "UK English", 0, 1),
)
STORES_BY_ID = {store.store_id: store for store in STORES}
WEBSITES_BY_ID = {website.website_id: website for website in WEBSITES}
STORES_BY_WEBSITE = {w.website_id: tuple(s for s in STORES if s.website_id == w.website_id) for w in WEBSITES}

CUSTOMER_GROUPS: tuple[tuple[int, str], ...] = ((0, "NOT LOGGED IN"), (1, "General"), (2, "Wholesale"), (3, "Retailer"))

# (iso2, iso3, name); the first ones are where the generated addresses live.
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("US", "USA", "United States"),
    ("CA", "CAN", "Canada"),
    ("DE", "DEU", "Germany"),
    ("FR", "FRA", "France"),
    ("NL", "NLD", "Netherlands"),
    ("ES", "ESP", "Spain"),
    ("AT", "AUT", "Austria"),
    ("GB", "GBR", "United Kingdom"),
    ("BE", "BEL", "Belgium"),
    ("CH", "CHE", "Switzerland"),
    ("IT", "ITA", "Italy"),
    ("PL", "POL", "Poland"),
)

# country -> ((region_id or None, region name), ...). Countries without a region table in
# Magento 1 (GB, NL) carry free-text regions and no region_id.
REGIONS: dict[str, tuple[tuple[int | None, str], ...]] = {
    "US": ((12, "California"), (43, "New York"), (57, "Texas"), (18, "Florida"), (23, "Illinois"), (62, "Washington")),
    "CA": ((74, "Ontario"), (76, "Quebec"), (67, "British Columbia")),
    "DE": ((81, "Bayern"), (82, "Berlin"), (85, "Hamburg"), (88, "Nordrhein-Westfalen"), (80, "Baden-Württemberg")),
    "FR": ((257, "Paris"), (194, "Bouches-du-Rhône"), (251, "Rhône")),
    "ES": ((161, "Madrid"), (139, "Barcelona"), (177, "Valencia")),
    "AT": ((95, "Wien"), (101, "Tirol")),
    "NL": ((None, "Noord-Holland"), (None, "Zuid-Holland"), (None, "Utrecht")),
    "GB": ((None, "Greater London"), (None, "West Midlands"), (None, "Lancashire"), (None, "")),
}

CITIES: dict[str, tuple[str, ...]] = {
    "US": ("Los Angeles", "New York", "Austin", "Miami", "Chicago", "Seattle"),
    "CA": ("Toronto", "Montréal", "Vancouver"),
    "DE": ("München", "Berlin", "Hamburg", "Köln", "Stuttgart"),
    "FR": ("Paris", "Marseille", "Lyon"),
    "ES": ("Madrid", "Barcelona", "Valencia"),
    "AT": ("Wien", "Innsbruck"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht"),
    "GB": ("London", "Birmingham", "Manchester", "Leeds"),
}

STREETS: tuple[str, ...] = (
    "Main Street",
    "Oak Avenue",
    "Hauptstraße",
    "Rue de la Paix",
    "Calle Mayor",
    "High Street",
    "Keizersgracht",
    "Station Road",
    "Elm Street",
    "Mariahilfer Straße",
)

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
    "Lukas", "Anna", "Jonas", "Lena", "Léa", "Hugo", "Chloé", "Zoë", "José", "María", "Sofía", "Mateo",
    "Oliver", "Amelia", "Harry", "Isla", "Noah", "Emma", "Sven", "Ingrid", "Björn", "Renée", "François",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Lefèvre", "Moreau", "García", "Fernández",
    "O'Brien", "O'Connor", "van der Berg", "de Vries", "Jansen", "Nguyen", "Kowalski", "Rossi", "Ferrari",
)  # fmt: skip
MIDDLE_NAMES: tuple[str, ...] = ("Ann", "Lee", "Marie", "J.", "Paul", "Louise", "Maria", "Alexander")
# The options of the customer `gender` attribute: the EAV value is the option id (1 male,
# 2 female); the bridge's customer entities send the option's label instead.
GENDER_LABELS: dict[int, str] = {1: "Male", 2: "Female"}
# Name prefixes by Magento gender value (1 male, 2 female).
PREFIXES: dict[int, tuple[str, ...]] = {1: ("Mr.", "Dr.", "Herr", "M."), 2: ("Ms.", "Mrs.", "Dr.", "Frau", "Mme")}
SUFFIXES: tuple[str, ...] = ("Jr.", "Sr.", "III", "PhD")
EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "mail.example.net", "gmail.example", "web.example.de", "orange.example.fr",
)  # fmt: skip
COMPANIES: tuple[str, ...] = (
    "Acme Corp", "Smith & Sons", "Globex GmbH", "Initech Ltd", "Umbrella S.A.", "Stark Industries",
    "Müller & Co. KG", "Wayne Enterprises", "Hooli B.V.", "Vandelay <Import> Export",
)  # fmt: skip

# (sku, name, price in cents, weight in hundredths of a kg, configurable?)
PRODUCTS: tuple[tuple[str, str, int, int, bool], ...] = (
    ("msj000", "French Cuff Cotton Twill Oxford", 19000, 100, True),
    ("msj006", "Plaid Cotton Shirt", 16000, 100, True),
    ("mtk002", "Chelsea Tee", 7500, 50, True),
    ("wbk002", "Elizabeth Knit Top", 21000, 80, True),
    ("wsd000", "Lafayette Convertible Dress", 34000, 120, True),
    ("abl000", "Isla Crossbody Handbag", 29000, 150, False),
    ("abl003", "Florentine Satchel Handbag", 62500, 200, False),
    ("acj000", "Pearl Stud Earrings", 11000, 10, False),
    ("aws000", "Swiss Movement Sports Watch", 50000, 30, False),
    ("hdb000", "Titian Raw Silk Pillow", 12500, 60, False),
    ("hdd000", "Madison Overnight Bag", 50000, 250, False),
    ("hde001", "Body Wash with Lemon Flower Extract and Aloe Vera", 2600, 40, False),
    ("hdb005", "Shay Printed Pillow", 21000, 60, False),
    ("mpd003", "Thomas Overcoat", 59000, 300, True),
    ("msh003", "Dylan Slim Jeans", 18500, 90, True),
    ("acj005", "Silver Desert Necklace", 21000, 15, False),
    ("hdm000", "Vase Set", 25000, 400, False),
    ("mbk001", "Flat Front Trouser", 14000, 90, True),
    ("acc000", "Gift Card $50", 5000, 0, False),
    ("abl004", "Houston Travel Wallet", 19000, 30, False),
)

SHIPPING_METHODS: tuple[tuple[str, str, int], ...] = (
    ("flatrate_flatrate", "Flat Rate - Fixed", 500),
    ("tablerate_bestway", "Best Way - Table Rate", 1500),
    ("freeshipping_freeshipping", "Free Shipping - Free", 0),
    ("ups_GND", "United Parcel Service - Ground", 1295),
)
PAYMENT_METHODS: tuple[str, ...] = ("checkmo", "ccsave", "paypal_express", "banktransfer", "cashondelivery")
CARD_TYPES: tuple[str, ...] = ("VI", "MC", "AE")
COUPONS: tuple[str, ...] = ("WELCOME10", "SUMMER15", "VIP20")

# Order status history comments; None is the common "status changed, no comment" row, "" an admin who
# saved an empty comment; some admins write HTML, and some of it is hostile (a sync must sanitise it).
HISTORY_COMMENTS: tuple[str | None, ...] = (
    None,
    None,
    None,
    None,
    None,
    None,
    "Customer called: please leave the parcel with a neighbour.",
    'Captured amount online. Transaction ID: "5KX08383HT418410T"',
    '<b>Gift wrap</b> requested &amp; card: "Happy birthday!"',
    "Address corrected after phone call.",
    "",
    "<p>Parcel returned by the carrier.<br>Customer asked for a new delivery date.</p>",
    '<p onclick="alert(1)">Shipped with <b>DHL</b> today.<script>alert("admin")</script></p>',
)

# Order statuses with the state Magento pairs them with, and rough shares by order age.
STATUS_STATE: dict[str, str] = {
    "pending": "new",
    "processing": "processing",
    "holded": "holded",
    "complete": "complete",
    "canceled": "canceled",
    "closed": "closed",
}
RECENT_STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("pending", 45),
    ("processing", 35),
    ("holded", 5),
    ("complete", 10),
    ("canceled", 5),
)
OLD_STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("complete", 78),
    ("canceled", 10),
    ("closed", 10),
    ("processing", 2),
)


def _numbered(
    country: str, first_id: int, regions: tuple[tuple[str, str], ...]
) -> tuple[tuple[int, str, str, str], ...]:
    return tuple((first_id + offset, country, code, name) for offset, (code, name) in enumerate(regions))


# directory_country_region as Magento 1.9 ships it: (region_id, country, code, default name). The ids
# are Magento's own (consecutive per country), and every region_id of REGIONS is here.
REGION_TABLE: tuple[tuple[int, str, str, str], ...] = (
    *_numbered("US", 1, (
        ("AL", "Alabama"), ("AK", "Alaska"), ("AS", "American Samoa"), ("AZ", "Arizona"), ("AR", "Arkansas"),
        ("AE", "Armed Forces Africa"), ("AA", "Armed Forces Americas"), ("AE", "Armed Forces Canada"),
        ("AE", "Armed Forces Europe"), ("AE", "Armed Forces Middle East"), ("AP", "Armed Forces Pacific"),
        ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
        ("DC", "District of Columbia"), ("FM", "Federated States Of Micronesia"), ("FL", "Florida"),
        ("GA", "Georgia"), ("GU", "Guam"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
        ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
        ("ME", "Maine"), ("MH", "Marshall Islands"), ("MD", "Maryland"), ("MA", "Massachusetts"),
        ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"),
        ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"),
        ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"),
        ("MP", "Northern Mariana Islands"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
        ("PW", "Palau"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
        ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
        ("VT", "Vermont"), ("VI", "Virgin Islands"), ("VA", "Virginia"), ("WA", "Washington"),
        ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    )),
    *_numbered("CA", 66, (
        ("AB", "Alberta"), ("BC", "British Columbia"), ("MB", "Manitoba"), ("NL", "Newfoundland and Labrador"),
        ("NB", "New Brunswick"), ("NS", "Nova Scotia"), ("NT", "Northwest Territories"), ("NU", "Nunavut"),
        ("ON", "Ontario"), ("PE", "Prince Edward Island"), ("QC", "Quebec"), ("SK", "Saskatchewan"),
        ("YT", "Yukon Territory"),
    )),
    *_numbered("DE", 79, (
        ("NDS", "Niedersachsen"), ("BAW", "Baden-Württemberg"), ("BAY", "Bayern"), ("BER", "Berlin"),
        ("BRG", "Brandenburg"), ("BRE", "Bremen"), ("HAM", "Hamburg"), ("HES", "Hessen"),
        ("MEC", "Mecklenburg-Vorpommern"), ("NRW", "Nordrhein-Westfalen"), ("RHE", "Rheinland-Pfalz"),
        ("SAR", "Saarland"), ("SAS", "Sachsen"), ("SAC", "Sachsen-Anhalt"), ("SCN", "Schleswig-Holstein"),
        ("THE", "Thüringen"),
    )),
    *_numbered("AT", 95, (
        ("WI", "Wien"), ("NO", "Niederösterreich"), ("OO", "Oberösterreich"), ("SB", "Salzburg"),
        ("KN", "Kärnten"), ("ST", "Steiermark"), ("TI", "Tirol"), ("BL", "Burgenland"), ("VB", "Vorarlberg"),
    )),
    (139, "ES", "Barcelona", "Barcelona"),
    (161, "ES", "Madrid", "Madrid"),
    (177, "ES", "Valencia", "Valencia"),
    (194, "FR", "13", "Bouches-du-Rhône"),
    (251, "FR", "69", "Rhône"),
    (257, "FR", "75", "Paris"),
)  # fmt: skip

# Where product pages and images of the store live (quote items carry both URLs).
STORE_BASE_URL = "https://shop.example.com/"
# Category names of a product, by the first three letters of its SKU (gift cards are in none).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "msj": ("Men", "Shirts"),
    "mtk": ("Men", "Tees, Knits and Polos"),
    "mpd": ("Men", "Blazers"),
    "msh": ("Men", "Pants & Denim"),
    "mbk": ("Men", "Pants & Denim"),
    "wbk": ("Women", "Tops & Blouses"),
    "wsd": ("Women", "Dresses & Skirts"),
    "abl": ("Accessories", "Bags & Luggage"),
    "acj": ("Accessories", "Jewelry"),
    "aws": ("Accessories", "Eyewear"),
    "acc": (),
    "hdb": ("Home & Decor", "Bed & Bath"),
    "hdd": ("Home & Decor", "Books & Music"),
    "hde": ("Home & Decor", "Bed & Bath"),
    "hdm": ("Home & Decor", "Decorative Accents"),
}
