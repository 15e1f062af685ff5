from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.synthetic import generate_cases


class Command(BaseCommand):
    help = (
        "Create N synthetic cases for scale tests from the study's vocabulary, with their whole lifecycle: about "
        "one engineer per 100 cases, cases in every stage with their stage changes, 3-8 visits per started case "
        "and applications (waiting, accepted, declined); then what came after: three follow-ups per finished case "
        "(answered with adoptions and measurements, closed, or open), cost lines per kind and year of the "
        "guidance with the case's subsidy rate (50-60%), and engineers' reports awaiting review or returned. "
        "Deterministic for a given "
        "--seed (and day), in bulk, never touching the study's records (synthetic codes start with 'syn', "
        "application references with 'SYN'). Runs `seed` first (which also loads the metric kinds if missing); "
        "running again with the same seed adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: the same seed gives the same cases.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Date the open cases back from this day (YYYY-MM-DD) instead of today, for the same data any day.",
        )

    def handle(self, *args, count, seed, batch_size, today, **options):
        if count < 1:
            raise CommandError("N은 1 이상이어야 합니다.")
        verbosity = options["verbosity"]

        def progress(done, total):
            if verbosity >= 1:
                self.stdout.write(f"  {done:,} / {total:,}건")

        created = generate_cases(count, seed=seed, batch_size=batch_size, progress=progress, today=today)
        self.stdout.write(self.style.SUCCESS(f"합성 사례 {created:,}건을 만들었습니다 (seed={seed})."))
