from django import forms

from tests.fakeconnector.models import FakeSettings


class FakeSettingsForm(forms.ModelForm):
    class Meta:
        model = FakeSettings
        fields = ["remote_path", "page_size"]
