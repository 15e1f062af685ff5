from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Enrol a TOTP authenticator for a staff account and print its otpauth:// URL (enter it in an authenticator "
        "app). From then on the admin login asks that account for a 6-digit code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="인증 앱", help="A label for the device.")

    def handle(self, *args, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"사용자 '{username}'이(가) 없습니다.") from None
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write("인증 앱에 다음 주소를 등록하세요 (QR 코드로 바꿔 찍어도 됩니다):")
        self.stdout.write(device.config_url)
