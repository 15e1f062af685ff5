"""Choice widgets that write their options in Python.

Django renders every <option> and checkbox through its own template includes; with the 17 시·도, the industries
and the guidance areas that was about 9 of the /apply/ page's 31 ms (measured with the study's vocabularies).
Same markup and attributes as Django's widgets (`get_context` does the work), without the per-option templates.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def _options(widget):
    return [option for _name, group, _index in widget["optgroups"] for option in group]


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], flatatt(option["attrs"]), option["label"]) for option in _options(widget)),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        boxes = format_html_join(
            "",
            '<div><label for="{}"><input type="checkbox" name="{}" value="{}"{}> {}</label></div>',
            (
                (
                    option["attrs"].get("id", ""),
                    option["name"],
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in _options(widget)
            ),
        )
        container_id = widget["attrs"].get("id")
        return format_html("<div{}>{}</div>", flatatt({"id": container_id} if container_id else {}), boxes)
