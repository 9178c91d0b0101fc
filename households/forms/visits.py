"""A visit (走访, 三(四)1)."""

from __future__ import annotations

from django import forms

from suixi_monitor.forms import DateInput

from ..models import Visit


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "reason", "findings", "risk_found"]
        widgets = {
            "visited_on": DateInput(past_only=True),
            "findings": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"reason": "三(四)1：六个必访"}
