"""The consent to the collection and use of personal data (개인정보 수집·이용 동의) on the /apply/ form.

The Personal Information Protection Act (art. 15 (2)) asks that the firm is told, separately from everything
else, the purpose, the items collected, how long they are kept, and that it may refuse and what refusing costs.
Each application stores CONSENT_VERSION and the time of consent: change the version with every change of the
text below, so it stays known which text each firm agreed to.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from privacy.inventory import DECLINED_APPLICATION_GRACE_DAYS, PERSONAL_DATA_RETENTION_DAYS

CONSENT_VERSION = "2026-11-v1"

# What the text promises is what `purge_personal_data` does: the same numbers, from the privacy inventory.
RETENTION_DAYS = PERSONAL_DATA_RETENTION_DAYS  # after the guidance (the firm's last activity) ends
RETENTION_YEARS = RETENTION_DAYS // 365
DECLINED_ERASED_AFTER_DAYS = DECLINED_APPLICATION_GRACE_DAYS


@dataclass(frozen=True)
class ConsentNotice:
    version: str
    items: tuple
    purpose: str
    retention: str
    refusal: str
    agreement: str


def notice():
    """The consent text in the active language (the Korean text is the one agreed to; see CONSENT_VERSION)."""
    return ConsentNotice(
        version=CONSENT_VERSION,
        items=(
            gettext("회사명(상호), 사업자등록번호, 소재지(시·도), 업종, 주요 생산제품, 종업원 수"),
            gettext("담당자 이름, 이메일 주소, 전화번호"),
            gettext("애로기술 내용, 희망 지도 분야, 희망 시작일"),
            gettext("부정 이용을 막기 위한 접속 IP 주소의 변환값 (주소 자체는 저장하지 않습니다)"),
        ),
        purpose=gettext(
            "기술지도 신청의 접수와 검토, 퇴직기술자 매칭, 기술지도 진행과 성과 확인에 필요한 연락. "
            "다른 목적으로 쓰지 않습니다."
        ),
        retention=gettext(
            "기술지도가 끝난 날(마지막 지도 활동일)부터 %(years)s년 동안 보관하고, 그 뒤에는 지체 없이 파기합니다. "
            "신청이 반려되면 반려한 날부터 %(days)s일이 지난 뒤 지체 없이 파기합니다."
        )
        % {"years": RETENTION_YEARS, "days": DECLINED_ERASED_AFTER_DAYS},
        refusal=gettext(
            "개인정보 수집·이용에 동의하지 않을 권리가 있습니다. "
            "다만 동의하지 않으면 기술지도 신청을 접수할 수 없습니다."
        ),
        agreement=gettext("위 내용을 읽었으며, 개인정보 수집·이용에 동의합니다."),
    )
