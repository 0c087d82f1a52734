"""The lifecycle as earlier releases ran it: subclasses whose patch checks answer False, so a
test can start a process on an old release and continue it on the current one. Each answers
False to `lean-run` (release 6) too, so it asks the patches of its own release itself.

They live in a module of their own that imports nothing heavy: the workflow sandbox imports a
workflow's whole module afresh for every run it builds (each task, with no workflow cache), and a
test module importing SQLAlchemy or the worker there made those runs crawl or hang.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.state import ProjectState
    from workflows.inputs import LifecycleInput
    from workflows.lifecycle import ProjectLifecycle


@workflow.defn(name="ProjectLifecycle")
class ReleaseOneLifecycle(ProjectLifecycle):
    """Release 1: one activity per effect, none of the later rules; no patch marker."""

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        return await super().run(input)

    def _lean_run(self) -> bool:
        return False

    def _one_transaction_step(self) -> bool:
        return False

    def _fidelity_rules(self) -> bool:
        return False

    def _project_name_attribute(self) -> bool:
        return False


@workflow.defn(name="ProjectLifecycle")
class ReleaseTwoLifecycle(ProjectLifecycle):
    """Release 2, before the rules of the fidelity issue: no `fidelity-rules` marker."""

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        return await super().run(input)

    def _lean_run(self) -> bool:
        return False

    def _fidelity_rules(self) -> bool:
        return False

    def _project_name_attribute(self) -> bool:
        return False


@workflow.defn(name="ProjectLifecycle")
class ReleaseThreeLifecycle(ProjectLifecycle):
    """Release 3, before legal deadlines: no `legal-deadlines` marker."""

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        return await super().run(input)

    def _lean_run(self) -> bool:
        return False

    def _legal_deadlines(self) -> bool:
        return False

    def _project_name_attribute(self) -> bool:
        return False


@workflow.defn(name="ProjectLifecycle")
class ReleaseFourLifecycle(ProjectLifecycle):
    """Release 4, before data collection: no `data-collection` marker."""

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        return await super().run(input)

    def _lean_run(self) -> bool:
        return False

    def _data_collection(self) -> bool:
        return False


@workflow.defn(name="ProjectLifecycle")
class ReleaseFiveLifecycle(ProjectLifecycle):
    """Release 5, before lean runs: the five patch markers, every search attribute upserted."""

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        return await super().run(input)

    def _lean_run(self) -> bool:
        return False
