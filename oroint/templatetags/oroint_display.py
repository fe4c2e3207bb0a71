"""Template filters for oroint.display: `{% load oroint_display %}`, then `{{ total|money:currency }}`."""

from django import template

from oroint import display

register = template.Library()

register.filter("amount", display.amount)
register.filter("money", display.money)
register.filter("quantity", display.quantity)
register.filter("count", display.count)
register.filter("when", display.when)
register.filter("duration", display.duration)
