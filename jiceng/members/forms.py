from django import forms

from jiceng.areas.models import Area
from jiceng.core.ethnicity import CHOICES as ETHNICITY_CHOICES
from jiceng.core.ethnicity import DEFAULT as DEFAULT_ETHNICITY
from jiceng.core.inputs import DateField, InputError, read_month
from jiceng.core.phones import PhoneField
from jiceng.core.picker import AreaPicker
from jiceng.orgs.models import BRANCH_TYPES, Org

from .models import EXIT_STATUSES, DuesCategory, Education, Member, Status

DATE = forms.DateInput(attrs={"type": "date"})
RESIDENCE_HELP = "输入社区、网格或楼栋名称查找并选择。"


class Styled:
    """Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _date(label, required=False, help_text=""):
    return DateField(label=label, required=required, widget=DATE, help_text=help_text)


class MemberForm(Styled, forms.Form):
    """Add a person (入党申请人, or a member with the dates from the file)."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="公民身份号码", max_length=18, help_text="18位，最后一位可为X；15位旧号码自动升位。"
    )
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial=DEFAULT_ETHNICITY)
    phone = PhoneField(label="手机号", required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Education.choices], required=False)
    status = forms.ChoiceField(label="状态", choices=[c for c in Status.choices if c[0] not in EXIT_STATUSES])
    application_date = _date("申请入党日期", required=True)
    talk_date = _date("谈话日期")
    activist_date = _date("确定积极分子日期")
    candidate_date = _date("确定发展对象日期")
    training_hours = forms.IntegerField(label="集中培训学时", min_value=0, initial=0, required=False)
    admission_date = _date("支部大会通过日期")
    approval_date = _date("上级党委审批日期")
    full_member_date = _date("转正日期")
    residence = forms.CharField(
        label="居住地",
        max_length=21,
        required=False,
        widget=AreaPicker,
        help_text=RESIDENCE_HELP,
    )
    workplace = forms.CharField(label="工作单位", max_length=120, required=False)
    is_employed = forms.BooleanField(label="在职", required=False)
    is_center_household = forms.BooleanField(label="党员中心户", required=False)

    def clean_residence(self):
        code = (self.cleaned_data.get("residence") or "").strip()
        if not code:
            return None
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError("没有找到这个居住地，请从列表中选择。")
        return area

    def clean_training_hours(self):
        return self.cleaned_data.get("training_hours") or 0


class MemberEditForm(Styled, forms.ModelForm):
    residence_code = forms.CharField(
        label="居住地", max_length=21, required=False, widget=AreaPicker, help_text=RESIDENCE_HELP
    )
    phone = PhoneField(label="手机号", required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "ethnicity",
            "phone",
            "education",
            "workplace",
            "is_employed",
            "is_center_household",
            "is_mobile",
            "mobile_place",
            "mobile_since",
        ]
        widgets = {"mobile_since": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.residence_id:
            self.fields["residence_code"].initial = self.instance.residence_path

    def clean_residence_code(self):
        code = (self.cleaned_data.get("residence_code") or "").strip()
        if not code:
            return None
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError("没有找到这个居住地，请从列表中选择。")
        return area


class AdvanceForm(Styled, forms.Form):
    to_status = forms.ChoiceField(label="办理事项")
    on_date = _date(
        "日期", required=True, help_text="确定积极分子/发展对象的日期；预备党员填上级党委审批日期；转正日期。"
    )
    talk_date = _date("谈话日期（确定积极分子时）")
    approval_extended = forms.BooleanField(label="审批期限经特殊情况延长（最长6个月）", required=False)
    votes_for = forms.IntegerField(label="支部大会赞成票（可选）", min_value=0, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = choices


class BranchVoteForm(Styled, forms.Form):
    on_date = _date("支部大会日期", required=True)
    introducers = forms.CharField(label="入党介绍人（身份证号后四位或姓名，用逗号分隔）", max_length=200)
    training_hours = forms.IntegerField(label="集中培训学时", min_value=0)
    votes_for = forms.IntegerField(label="赞成票（可选）", min_value=0, required=False)


class ExtendForm(Styled, forms.Form):
    extend_to = _date("延长预备期至", required=True)
    reason = forms.CharField(label="理由", max_length=200, required=False)


class ExitForm(Styled, forms.Form):
    status = forms.ChoiceField(label="类型", choices=[c for c in Status.choices if c[0] in EXIT_STATUSES])
    on_date = _date("日期", required=True)
    reason = forms.CharField(label="说明", max_length=200, required=False)


class TransferForm(Styled, forms.Form):
    kind = forms.ChoiceField(label="转接方式", choices=[("internal", "转往本平台内党组织"), ("outgoing", "转出本平台")])
    to_org = forms.CharField(
        label="接收党支部编码（平台内）",
        max_length=48,
        required=False,
        help_text="可在上方按名称查找并选择，编码自动填入；也可直接填写组织编码。",
        # Typing a code by hand drops the "已选择" line of the chooser (members/transfer_form.html).
        widget=forms.TextInput(attrs={"x-on:input": "chosen = ''"}),
    )
    external_org_name = forms.CharField(label="接收党组织名称（平台外）", max_length=120, required=False)
    letter_no = forms.CharField(label="介绍信编号（平台外）", max_length=40, required=False)
    cross_province = forms.BooleanField(label="跨省（区、市）转接（有效期6个月）", required=False)
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == "internal":
            code = (data.get("to_org") or "").strip()
            org = Org.objects.filter(code=code, org_type__in=BRANCH_TYPES).first() if code else None
            if org is None:
                self.add_error("to_org", "请填写接收党支部的组织编码")
            data["to_org"] = org
        return data


class IncomingForm(Styled, forms.Form):
    to_org = forms.CharField(label="接收党支部编码", max_length=48)
    person_name = forms.CharField(label="姓名", max_length=50)
    person_id_number = forms.CharField(label="公民身份号码", max_length=18)
    external_org_name = forms.CharField(label="转出党组织", max_length=120)
    letter_no = forms.CharField(label="介绍信编号", max_length=40)
    issued_on = _date("开具日期", required=True)
    valid_until = _date("有效期至", help_text="留空按3个月计")


class AcceptIncomingForm(Styled, forms.Form):
    status = forms.ChoiceField(label="党员类别", choices=[(Status.FULL, "正式党员"), (Status.PROBATIONARY, "预备党员")])
    application_date = _date("申请入党日期", required=True)
    activist_date = _date("确定积极分子日期", required=True)
    candidate_date = _date("确定发展对象日期", required=True)
    admission_date = _date("支部大会通过日期", required=True)
    approval_date = _date("上级党委审批日期", required=True)
    full_member_date = _date("转正日期")
    talk_date = _date("谈话日期")
    training_hours = forms.IntegerField(label="集中培训学时", min_value=0, required=False)
    phone = PhoneField(label="手机号", required=False)


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class ReceiptForm(Styled, forms.Form):
    receipt_no = forms.CharField(label="回执编号", max_length=40)
    received_on = _date("接收日期", required=True)


class PaymentForm(Styled, forms.Form):
    month = forms.CharField(label="所属月份", widget=forms.DateInput(attrs={"type": "month"}))
    amount = forms.DecimalField(label="金额（元）", min_value=0, max_digits=10, decimal_places=2)
    paid_on = _date("交纳日期")
    note = forms.CharField(
        label="说明", max_length=200, required=False, help_text="补交超过规定月数或金额与应交不符时，写明原因"
    )

    def clean_month(self):
        try:
            return read_month(self.cleaned_data["month"])
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DuesBaseForm(Styled, forms.Form):
    dues_category = forms.ChoiceField(label="党费类别", choices=DuesCategory.choices)
    dues_base = forms.DecimalField(label="月收入基数（税后，元）", min_value=0, max_digits=10, decimal_places=2)
