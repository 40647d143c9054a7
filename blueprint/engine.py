"""The offline engine: runs ``__main__.py`` unchanged on Pulumi's own mock runtime.

A recording monitor (a subclass of Pulumi's ``MockMonitor``) sees every ``RegisterResource``
request exactly as the real engine would: type, name, parent, provider, dependencies, property
dependencies, protect, retain-on-delete and the serialized inputs (camelCase, secrets still
wrapped, unknowns still marked). From those it builds the resource graph (the contract in
blueprint/graph.py and docs/architecture.md), with URNs in the engine's format (the stock mock's
differ: it keeps the root stack type and only the parent's last type).

Resource outputs come from ``blueprint.canned``; data lookups from ``blueprint.lookups`` (an
unlisted one is an error). ``preview=True`` leaves ids and computed outputs unknown, as a first
``pulumi preview`` would.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import runpy
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi import _types as pulumi_types
from pulumi import log as pulumi_log
from pulumi.output import _OutputData
from pulumi.runtime import config as runtime_config
from pulumi.runtime import known_types
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc as runtime_rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from blueprint import canned, lookups
from blueprint.graph import Graph, Node
from blueprint.stackconfig import StackConfig, load_stack_config
from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from core.wire import struct_to_dict

# Wire-format signatures (pulumi/sdk rpc.py): special objects carry this key.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17": "asset", "0def7320c3a5731c473e5ecbe6d01bc7": "archive"}
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

STACK_TYPE = "pulumi:pulumi:Stack"


def _clean(value: Any) -> Any:
    """Wire value → graph value: secrets and unknowns replaced by markers, references by URN."""
    if isinstance(value, str):
        return UNKNOWN_MARKER if value == _UNKNOWN else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return SECRET_MARKER
        if sig == _RESOURCE_SIG:
            return value.get("urn", UNKNOWN_MARKER)
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                return SECRET_MARKER
            return _clean(value["value"]) if "value" in value else UNKNOWN_MARKER
        if sig in _ASSET_SIGS:
            return f"<{_ASSET_SIGS[sig]}>"
        return {k: _clean(v) for k, v in value.items()}
    return value


_SCALARS = (str, bool, int, float, type(None))


def _is_plain(value: Any) -> bool:
    """Only exact dicts with string keys, exact lists and JSON scalars."""
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(k) is str for k in item):
                return False
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif kind not in _SCALARS:
            return False
    return True


def _plain_struct(state: dict[str, Any]) -> struct_pb2.Struct | None:
    """The Struct ``rpc.serialize_properties(state, {})`` returns, when ``state`` holds only plain JSON
    values (exact dicts with string keys, exact lists, scalars); None otherwise."""
    if not _is_plain(state):
        return None
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in state.items() if v is not None})
    return struct


def _has_reference(value: Any) -> bool:
    """Whether a wire value (as ``struct_to_dict`` reads it) holds anything but plain values and secrets:
    a resource reference, an asset, an archive or an output value."""
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            if item.get(_SIG_KEY, _SECRET_SIG) != _SECRET_SIG:
                return True
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return False


def _echo_struct(sent: struct_pb2.Struct, inputs: dict[str, Any], state: dict[str, Any]) -> struct_pb2.Struct | None:
    """The mock's answer as the registration's own Struct, with the properties the mock added or
    replaced set on it; None when that is not possible (a property dropped, a non-plain value).

    The SDK reads the answer only through ``deserialize_properties`` (``rpc.resolve_outputs``),
    which drops nulls and lifts a nested secret to its property, as the stock mock's own
    deserialize-then-serialize round trip did: the program sees the same outputs, without the
    round trip through the SDK's async serializer. ``inputs`` is what the mock was given
    (deserialized ``sent``); a property of ``state`` that is the very object it was given is echoed.
    """
    if any(key not in state for key in inputs):
        return None
    changed = {key: value for key, value in state.items() if key not in inputs or value is not inputs[key]}
    if not _is_plain(changed):
        return None
    answer = struct_pb2.Struct()
    answer.CopyFrom(sent)
    for key, value in changed.items():
        if value is None:
            if key in answer.fields:
                del answer.fields[key]
        else:
            answer[key] = value
    return answer


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, recording each registration as a graph node with engine-format URNs."""

    def __init__(self, mocks: pulumi_mocks.Mocks, project: str, stack: str, *, fast: bool = False) -> None:
        super().__init__(mocks)
        self.project = project
        self.stack = stack
        self.fast = fast
        self.nodes: list[Node] = []
        self.outputs: dict[str, dict[str, Any]] = {}
        self.root_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a child's type with its parent's full type chain, except under the root stack.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def _register_plain(self, request: Any, sent: dict[str, Any]) -> Any:
        """MockMonitor.RegisterResource, answering without the SDK's serializer where it can.

        The stock mock turns the mock's state back into a Struct with ``rpc.serialize_properties``,
        an async walk built for Outputs, resources and assets (a quarter of a plan's CPU went to
        that serializer). Here the answer is the registration's own Struct with the mock's
        additions (``_echo_struct``) when the inputs hold no reference, asset or output value
        (``sent``: the request's object as read for the graph); else a plain state's Struct built
        directly (``_plain_struct``); else the SDK's serializer.
        """
        urn = self.make_urn(request.parent, request.type, request.name)
        _ensure_event_loop()  # as the stock mock: deserializing a reference needs a loop on this thread
        inputs = runtime_rpc.deserialize_properties(request.object)
        args = pulumi_mocks.MockResourceArgs(
            typ=request.type, name=request.name, inputs=inputs,
            provider=request.provider, resource_id=request.importId, custom=request.custom or False)
        id_, state = self.mocks.new_resource(args)
        obj = None if _has_reference(sent) else _echo_struct(request.object, inputs, state)
        if obj is None:
            obj = _plain_struct(state)
        if obj is None:
            obj = _sync_await(runtime_rpc.serialize_properties(state, {}))
        ident: Any = id_  # the stock mock passes a None id through as is
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, ident, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=ident, object=obj)

    def Invoke(self, request: Any) -> Any:
        """MockMonitor.Invoke, answering a plain lookup result without the SDK's serializer (as
        ``_register_plain``); a result with check failures, or anything else, takes the stock path."""
        if not self.fast or request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        _ensure_event_loop()
        result = self.mocks.call(pulumi_mocks.MockCallArgs(
            token=request.tok, args=runtime_rpc.deserialize_properties(request.args), provider=request.provider))
        answer = _plain_struct(result) if isinstance(result, dict) else None
        if answer is None:
            return super().Invoke(request)
        return resource_pb2.ResourceInvokeResponse(**{"failures": None, "return": answer})

    def RegisterResource(self, request: Any) -> Any:
        sent = struct_to_dict(request.object)
        if self.fast and request.type != STACK_TYPE and not request.transforms:
            response = self._register_plain(request, sent)
        else:
            response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            self.root_urn = response.urn
            return response
        provider = request.provider
        if not provider and request.custom:
            package = request.type.split(":", 1)[0]
            version = (request.version or "").replace(".", "_")
            # The engine's default provider for the package (not registered under mocks).
            provider = f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::default" + (
                f"_{version}" if version else "")
        elif provider:
            provider = provider.rsplit("::", 1)[0]  # an explicit provider reference is "<urn>::<id>"
        self.nodes.append(Node(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=None if request.parent in ("", self.root_urn) else request.parent,
            plane=None,
            provider=provider or None,
            custom=bool(request.custom),
            inputs=_clean(sent),
            dependencies=sorted(set(request.dependencies)),
            propertyDependencies={k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())},
            protect=bool(request.protect),
            retainOnDelete=bool(request.retainOnDelete),
        ))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.outputs[request.urn] = _clean(struct_to_dict(request.outputs))
        return super().RegisterResourceOutputs(request)


class OfflineMocks(pulumi_mocks.Mocks):
    """Canned outputs per type; every lookup from the one table."""

    def __init__(self, ctx: lookups.LookupContext, preview: bool) -> None:
        self.ctx = ctx
        self.preview = preview

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            return ("" if self.preview else lookups.fake_ocid("provider", self.ctx.region, args.name)), dict(args.inputs)
        ident, state = canned.outputs_for(args.typ, args.name, args.inputs, self.ctx.region)
        if self.preview:
            # A first preview knows only the inputs: ids and computed outputs are unknown.
            return "", dict(args.inputs) | ({"metadata": state["metadata"]} if "metadata" in state else {})
        return ident, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        # A bare dict means "no check failures" to the mock monitor.
        return lookups.answer(args.token, args.args, self.ctx)


@dataclass
class PlanResult:
    graph: Graph
    seconds: float
    stack_config: StackConfig = field(repr=False)


@contextmanager
def _on_path(project_dir: Path) -> Iterator[None]:
    entry = str(project_dir)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            sys.path.remove(entry)


def _no_stack_trace() -> Any:
    # The SDK reads every frame's source line for each registration (~2 ms per resource); the
    # graph does not record stack traces, so the offline engine skips building them.
    return source_pb2.StackTrace()


async def _wait_for_rpcs_batched(await_all_outstanding_tasks: bool = True) -> None:
    """The SDK's wait_for_rpcs, awaiting pending outputs in batches instead of one at a time.

    The SDK waits FIRST_COMPLETED in a loop, re-arming a callback on every pending task each time
    (quadratic in the number of outputs). Same semantics here: drain RPCs, surface the first
    failure, repeat until no RPC or output is outstanding. tests/blueprint/test_engine.py checks
    that graphs are identical either way.
    """
    rpc_manager = runtime_settings._get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            await rpc_manager.rpcs.pop()
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with runtime_settings.SETTINGS.lock:
                    pending = list(runtime_settings.SETTINGS.outputs)
                    runtime_settings.SETTINGS.outputs.clear()
                if not pending:
                    break
                await asyncio.gather(*pending)
        if not rpc_manager.rpcs:
            break


def _create_urn_now(name: Any, type_: Any, parent: Any = None, project: str | None = None,
                    stack: str | None = None) -> pulumi.Output[str]:
    """The SDK's create_urn, resolved at once when every part is a plain string.

    The SDK computes a would-be URN for every registration (used only when no monitor is attached)
    by chaining three outputs through ``Output.all(...).apply``: several tasks per resource. With
    plain strings the result is known now; any other argument (an Output, a Resource) takes the
    SDK's own path. Same string either way: ``<parent URN up to its last '::'>$<type>::<name>``,
    or ``urn:pulumi:<stack>::<project>::<type>::<name>`` at the top.
    """
    if not (isinstance(name, str) and isinstance(type_, str) and (parent is None or isinstance(parent, str))):
        return _SDK_CREATE_URN(name, type_, parent, project, stack)
    if parent is not None:
        prefix = parent[: parent.rfind("::")] + "$"
    else:
        stack = runtime_settings.get_stack() if stack is None else stack
        project = runtime_settings.get_project() if project is None else project
        prefix = f"urn:pulumi:{stack}::{project}::"
    return pulumi.Output.from_input(prefix + type_ + "::" + name)


_SDK_CREATE_URN = runtime_resource.create_urn


def _contains_unknowns(val: Any) -> bool:
    """The SDK's ``rpc.contains_unknowns`` without its reference cycle.

    The SDK defines a recursive closure on every call (~9k calls per plan); the closure refers
    to itself through its cell, so each call leaves a cycle of a function, a cell and its
    annotations for the collector: about half of a plan's cyclic garbage. Same answer: whether
    an ``Unknown`` is reachable through dict values and list items.
    """
    is_unknown = known_types.is_unknown
    if not isinstance(val, (dict, list)):
        return is_unknown(val)
    pending, seen = [val], set()
    while pending:
        item = pending.pop()
        if is_unknown(item):
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            pending.extend(item[k] for k in item)
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _by_identity(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` (a pure function of a type annotation) answered once per annotation object.

    The SDK unwraps ``Output[T]``, ``Input[T]``, ``Optional[T]`` for every property it serializes or
    translates (~5k calls per plan over ~1.9k annotation objects, which live as long as the classes
    that declare them): the answer is cached by the object's identity, the object kept alive with it.
    """
    cache: dict[int, tuple[Any, Any]] = {}

    def cached(val: Any) -> Any:
        hit = cache.get(id(val))
        if hit is not None and hit[0] is val:
            return hit[1]
        result = fn(val)
        cache[id(val)] = (val, result)
        return result

    return cached


def _debug_if_listened(msg: str, resource: Any = None, stream_id: int | None = None,
                       ephemeral: bool | None = None) -> None:
    """The SDK's ``log.debug``, skipped when nothing listens: offline, the engine's debug channel is the
    ``blueprint.engine`` logger (MockEngine), and building each message's LogRequest (and a task per
    resource-attached message) costs more than the registration it describes."""
    if _ENGINE_LOG.isEnabledFor(logging.DEBUG):
        _SDK_DEBUG(msg, resource, stream_id, ephemeral)


_ENGINE_LOG = logging.getLogger("blueprint.engine")
_SDK_DEBUG = pulumi_log.debug


def _resolve_output(resource: Any, data: asyncio.Future[Any], value: Any, is_known: bool, is_secret: bool,
                    deps: set[Any] | None, failed: Exception | None) -> None:
    """A resolver of ``_transfer_properties``: the SDK's resolver contract (value, known, secret,
    dependencies, failure), settling the output's data at once."""
    resources = set(deps) if deps else set()
    resources.add(resource)
    if failed is not None:
        data.set_exception(failed)
    else:
        data.set_result(_OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret))


def _transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """The SDK's ``rpc.transfer_properties`` with one future per output property instead of five.

    For every property of a resource (a pulumi-oci resource declares a few dozen) the SDK makes an
    Output from four futures (value, known, secret, dependencies) that a task per Output gathers
    into the Output's data: the largest share of a plan's event-loop work. Here the resolver
    settles the Output's data future directly, with the same data (the dependencies plus the
    resource itself; the failure, if any) and the same skipped names (``urn``; ``id`` of a custom
    resource). Outputs are tracked as the SDK tracks them (``Output._from_data``).
    """
    resolvers: dict[str, Any] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue
        data: asyncio.Future[Any] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve_output, res, data)
        res.__dict__[name] = pulumi.Output._from_data(data)
    return resolvers


def _fast_patches() -> list[tuple[Any, str, Any]]:
    """(module, attribute, replacement): each gives the same graph as the SDK's own (test_engine checks)."""
    return [
        (runtime_resource, "_get_stack_trace", _no_stack_trace),
        (runtime_stack, "wait_for_rpcs", _wait_for_rpcs_batched),
        (runtime_resource, "create_urn", _create_urn_now),
        (runtime_rpc, "contains_unknowns", _contains_unknowns),
        (runtime_rpc, "transfer_properties", _transfer_properties),
        (pulumi_types, "unwrap_type", _UNWRAP_TYPE),
        (pulumi_types, "unwrap_optional_type", _UNWRAP_OPTIONAL_TYPE),
        (pulumi_log, "debug", _debug_if_listened),
    ]


_UNWRAP_TYPE = _by_identity(pulumi_types.unwrap_type)
_UNWRAP_OPTIONAL_TYPE = _by_identity(pulumi_types.unwrap_optional_type)


def _inline_run_in_executor(loop: asyncio.AbstractEventLoop) -> Callable[..., asyncio.Future[Any]]:
    """``loop.run_in_executor`` running each call at once, in the loop's thread.

    The SDK hands every monitor call (registration, lookup, outputs) to the loop's default
    executor, a thread pool: two thread switches per call, and a wake-up of the loop through its
    self-pipe when the result comes back. The offline monitor answers from memory and never
    waits (its plain answers need no event loop either: ``RecordingMonitor.Invoke`` and
    ``_register_plain``), so during a plan a call with the default executor runs where it is and
    its future is already done; one with an explicit executor goes to it as before.
    """
    sdk_run_in_executor = loop.run_in_executor

    def run_in_executor(executor: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if executor is not None:
            return sdk_run_in_executor(executor, func, *args)
        future = loop.create_future()
        try:
            future.set_result(func(*args))
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # the future carries it, as a pool's would
            future.set_exception(exc)
        return future

    return run_in_executor


@contextmanager
def _fast_runtime(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    patches = _fast_patches()
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, replacement in patches:
        setattr(module, name, replacement)
    loop = _ensure_event_loop()
    loop.run_in_executor = _inline_run_in_executor(loop)  # removed below
    # A plan allocates ~10^5 short-lived objects (protobufs, futures); the cyclic collector's
    # passes over the SDK's long-lived modules cost 2-3x the plan itself. Collect after, not during.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
        del loop.run_in_executor  # the loop's own method again
        if gc_was_enabled:
            gc.enable()


_plans_in_process = 0
#: len(sys.modules) when the heap was last frozen (-1: never).
_modules_when_frozen = -1


def freeze_long_lived() -> None:
    """Keep the long-lived heap out of the cyclic collector's passes.

    The first plan imports the SDKs, the provider modules and the program (~550k tracked objects);
    they live as long as the process, yet every full collection walks them again (~0.5 s each,
    more than a warm plan). Collect what is garbage now and freeze the rest (``gc.freeze``):
    later collections scan only objects created since. Done again only when modules were imported
    since (a stack using resource types the earlier ones did not). ``plan`` calls this at the
    start of a process's second and later plans (the previous plan's runtime state is unreachable
    by then); a process about to fork workers calls it first, so that they inherit a frozen heap.
    """
    global _modules_when_frozen
    if len(sys.modules) != _modules_when_frozen:
        gc.collect()
        gc.freeze()
        _modules_when_frozen = len(sys.modules)


#: Event loops a forked process inherited: kept open and referenced, never closed or collected,
#: because closing one would unregister its parent's descriptors from the epoll instance they share.
_INHERITED_LOOPS: list[asyncio.AbstractEventLoop] = []


def renew_event_loop(*, forked: bool = False) -> None:
    """Give this thread a fresh event loop.

    Before forking, the old loop is closed, which joins the worker threads the SDK's loop started
    for its monitor calls: the process is single-threaded when it forks. A forked process
    (``forked=True``) renews again, because an inherited loop shares its selector and wake-up
    socket with its parent and its sibling workers; it leaves its copy untouched.
    """
    policy = asyncio.get_event_loop_policy()
    try:
        old = policy.get_event_loop()
    except RuntimeError:
        old = None
    policy.set_event_loop(policy.new_event_loop())
    if old is None or old.is_running() or old.is_closed():
        return
    if forked:
        _INHERITED_LOOPS.append(old)
        return
    old.run_until_complete(old.shutdown_default_executor())
    old.close()


def plan(stack: str, project_dir: Path, *, preview: bool = False, config: StackConfig | None = None,
         fast: bool = True) -> PlanResult:
    """Run the program for one stack offline and return its resource graph.

    Raises ``core.problems.SettingsError`` for a bad stack config (nothing is recorded then),
    ``blueprint.stackconfig.StackConfigError`` for an unreadable stack file, and
    ``blueprint.lookups.UnlistedLookupError`` for a lookup the table lacks. ``fast=False`` runs
    the SDK's own (slower) stack-trace capture and RPC wait loop.
    """
    started = time.perf_counter()
    cfg = config or load_stack_config(project_dir, stack)
    ctx = lookups.LookupContext(region=cfg.region or "", stack=stack)
    monitor = RecordingMonitor(OfflineMocks(ctx, preview), cfg.project, stack, fast=fast)
    _configure(monitor, cfg, preview)
    global _plans_in_process
    _plans_in_process += 1
    if fast and _plans_in_process > 1:
        freeze_long_lived()
    main = project_dir / "__main__.py"
    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    with _on_path(project_dir), _fast_runtime(fast):
        _sync_await(run_in_stack(program))
    graph = Graph.from_nodes(
        project=cfg.project, stack=stack, preview=preview, nodes=monitor.nodes,
        component_outputs=monitor.outputs, stack_outputs=monitor.outputs.get(monitor.root_urn, {}),
    )
    return PlanResult(graph=graph, seconds=time.perf_counter() - started, stack_config=cfg)


def _configure(monitor: RecordingMonitor, cfg: StackConfig, preview: bool) -> None:
    """Point Pulumi's runtime at the recording monitor with a fresh root stack and this stack's config."""
    settings = pulumi_mocks.MockSettings(
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
        engine=pulumi_mocks.MockEngine(logging.getLogger("blueprint.engine")),
        project=cfg.project,
        stack=cfg.stack,
        dry_run=preview,
        organization="organization",
        callbacks=None,
    )
    runtime_settings.configure(settings)
    # A re-plan in the same process must not reuse the previous run's root stack.
    runtime_settings.ROOT.set(None)
    # Besides the secret top-level keys (what the Pulumi CLI passes), the key path of each ``secure:``
    # leaf the engine replaced by the offline placeholder: settings accept the placeholder there only.
    runtime_config.set_all_config(dict(cfg.values), [*cfg.secret_keys, *cfg.secret_paths])
    pulumi.runtime.settings.SETTINGS.outputs.clear()
