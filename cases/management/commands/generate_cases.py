from django.core.management.base import BaseCommand, CommandError

from cases.synthetic import generate_cases


class Command(BaseCommand):
    help = (
        "Create N synthetic cases for scale tests from the study's vocabulary: deterministic for a given --seed, "
        "in bulk, never touching the study's cases (synthetic codes start with 'syn'). Runs `seed` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: the same seed gives the same cases.")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, count, seed, batch_size, **options):
        if count < 1:
            raise CommandError("N은 1 이상이어야 합니다.")
        verbosity = options["verbosity"]

        def progress(done, total):
            if verbosity >= 1:
                self.stdout.write(f"  {done:,} / {total:,}건")

        created = generate_cases(count, seed=seed, batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"합성 사례 {created:,}건을 만들었습니다 (seed={seed})."))
