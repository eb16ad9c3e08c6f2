"""Workers: outbox relay, kombu queues, writer workers, scheduler, and the `crmhub` command line."""
