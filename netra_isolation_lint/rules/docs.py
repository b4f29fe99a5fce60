"""Rule documentation in ruff's shape: rendered to docs/rules/<code>.md by scripts/gen_rule_docs.py and
printed by ``netra-isolation-lint --explain CODE``.

Every page has the sections ``What it does``, ``Why is this bad?``, ``Example``, ``Use instead`` and
``Configuration`` in that order, optionally ``Limitations`` and ``Suppression``. The Python blocks under
``Example`` must trigger the rule and those under ``Use instead`` must not: ``tests/test_docs.py`` runs them.
"""

NIL101 = '''
## What it does
Reports every call of a configured singleton accessor, by default
`get_agent_websocket_bridge()`, whether called by name, through an import alias
(`from ... import get_agent_websocket_bridge as get_bridge`) or as an attribute of an
imported module (`bridge_module.get_agent_websocket_bridge()`).

## Why is this bad?
The accessor returns one bridge object shared by the whole process. Anything sent
through it is routed by `run_id` lookups in shared state, so a race or a stale mapping
delivers user A's `agent_thinking` or `tool_completed` event to user B. A per-user
emitter created from the request's `UserExecutionContext` can only reach that user.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, run_id: str, message: str) -> None:
        bridge = await get_agent_websocket_bridge()
        await bridge.notify_agent_thinking(run_id, self.name, message)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"agent_name": self.name, "thought": message})
```

## Configuration
- `singleton.accessors`: the accessor functions. A bare name matches a function of that
  name from any module; a dotted name (`agent_websocket_bridge.get_agent_websocket_bridge`)
  matches only qualified names ending with it.

## Limitations
A call through an attribute is recognised only when the attribute chain starts at an
imported name: `self.get_agent_websocket_bridge()` or a function that merely wraps the
accessor under another name is not reported.
'''

NIL102 = '''
## What it does
Reports `from <module> import <accessor>` for a configured singleton accessor (default
`get_agent_websocket_bridge`), at the imported name. It fires once per import, even when
the name is never called, and also for imports inside functions.

## Why is this bad?
The import is the way the shared bridge gets into a module. Flagging it points at every
module that still depends on the singleton, including those that only hand the accessor
on to other code (where NIL101 never fires because nothing is called here).

## Example
```python
from netra_backend.app.services.agent_websocket_bridge import get_agent_websocket_bridge

BRIDGE_ACCESSOR = get_agent_websocket_bridge
```

## Use instead
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


async def make_emitter(user_context):
    return await AgentWebSocketBridge().create_user_emitter(user_context)
```

## Configuration
- `singleton.accessors`: the accessor names. The imported name matches a bare entry;
  `<module>.<name>` matches a dotted entry by suffix.

## Limitations
Only `from ... import` is checked. `import netra_backend.app.services.agent_websocket_bridge
as m` is not reported; a later `m.get_agent_websocket_bridge()` call is (NIL101).
Re-exports are reported where they are written, so a compatibility module that re-exports
the accessor needs a `# noqa: NIL102` or a `per_path_ignores` entry.
'''

NIL103 = '''
## What it does
Reports a legacy `notify_*` method called on a receiver that is a bridge. The methods are
`notify_<event>` for every event in `critical_events` (`notify_agent_thinking`,
`notify_tool_executing`, ...) plus `singleton.legacy_methods`. The message names the
emitter call to use: `emitter.emit_<event>(...)` for a configured event, otherwise
`emitter.<first emitters.helpers entry>("<event>", ...)`.

## Why is this bad?
`notify_*` on the bridge routes by `run_id` through the process-wide singleton: the
event can reach whichever user's connection is currently mapped to that run. The
per-user emitter is bound to one `UserExecutionContext` and cannot address anyone else.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _send_update(self, run_id: str, message: str) -> None:
        await self.websocket_bridge.notify_agent_thinking(run_id, self.name, message)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"agent_name": self.name, "thought": message})
```

## Configuration
- `critical_events`: each event `e` makes `notify_e` a legacy method.
- `singleton.legacy_methods`: further legacy method names (exact names, not dotted).
- `singleton.accessors`, `singleton.bridge_classes`: a name bound from an accessor call,
  a bridge class instantiation or a bridge-class annotation is a bridge.
- `singleton.bridge_names`: otherwise a name or attribute matching these patterns
  (default `bridge`, `*_bridge`) is taken to be a bridge.
- `emitters.names`: checked first; a receiver matching it (`bridge_emitter`) is an emitter.
- `emitters.helpers`: the first entry is named in the suggested replacement.

## Limitations
Receivers are classified by binding in the same file (for `self.<attr>`, an assignment
anywhere in the class), else by name only. A bridge that arrives under another name
(`self._ws = ws` from a constructor argument, or the result of your own helper) is
missed; a per-user object that happens to be called `user_bridge` is reported.
`custom_events` do not add `notify_*` methods. For a method such as
`notify_agent_error` the suggested `emit_custom_event("agent_error", ...)` is itself
reported by NIL402 unless `agent_error` is in `custom_events`.
'''

NIL104 = '''
## What it does
Reports a bridge stored where it outlives the request: a module global (including via
`global` inside a function), a class attribute (in the class body, through `cls.` in a
classmethod, or through `ClassName.`), or an item of a module-level container. Only
values whose origin is known count: an accessor call, a bridge class instantiation, or a
parameter annotated with a bridge class (`bridge: AgentWebSocketBridge` stored on `cls.`
is as shared as one built there); a value that is only named like a bridge does not.

## Why is this bad?
A bridge kept at module or class level is one instance shared by every request that
touches the module or class. Whatever it caches (run-to-user mappings, connections) is
shared too, which is exactly how one user's events end up on another user's socket.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    _bridge = AgentWebSocketBridge()

    async def _send_update(self, message: str) -> None:
        emitter = await self._bridge.create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"thought": message})
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        bridge = AgentWebSocketBridge()
        emitter = await bridge.create_user_emitter(self.user_context)
        await emitter.emit_agent_thinking({"thought": message})
```

## Configuration
- `singleton.accessors`: calls whose result is a shared bridge.
- `singleton.bridge_classes`: classes whose instances are bridges (matched by name or
  dotted suffix).

## Limitations
Instance attributes (`self._bridge = AgentWebSocketBridge()`) are not reported: the
instance may itself be per-request. A bridge known only by its name (`bridge_names`),
or stored through a helper function, is not reported either.
'''

NIL201 = '''
## What it does
Reports the `__init__` of a context-bound class when it has no parameter for the user
context and does not forward `**kwargs` to a base `__init__`. A class is context-bound
when it is named in `context.bound_classes` or derives, directly or through classes the
linter can see, from a class in `context.agent_bases` or `context.bound_classes`. A
parameter carries the context when it is named `context.parameter` or annotated with a
`context.types` type (also inside `Optional[...]`, `X | None` or a string annotation).

## Why is this bad?
An agent that cannot be given a `UserExecutionContext` when it is built has to find out
whom it works for later, from shared state, or never does and falls back to the
singleton bridge. Accepting `user_context` in `__init__` ties each instance to one request.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher):
        super().__init__(llm_manager, name="ForecastAgent")
        self.tool_dispatcher = tool_dispatcher
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.user_execution_context import UserExecutionContext


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, tool_dispatcher, user_context: UserExecutionContext | None = None):
        super().__init__(llm_manager, name="ForecastAgent", user_context=user_context)
        self.tool_dispatcher = tool_dispatcher
```

## Configuration
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound.
- `context.parameter`, `context.types`: how the context parameter is recognised; the
  first `context.types` entry is named in the message.

## Limitations
Whether a class is context-bound is decided over the files the front end sees: flake8
sees one file, pylint that file plus the modules it imports from the same top-level
package, the CLI every file given. So `class ForecastAgent(MidAgent)` with `MidAgent`
deriving `BaseAgent` in another module is missed by flake8. A base matching
`agent_bases` by name is trusted whatever module it comes from.
'''

NIL202 = '''
## What it does
Reports the `__init__` of a context-bound class (see NIL201) that accepts the user
context but neither passes it to a base `__init__` (`super().__init__(...)` or
`Base.__init__(self, ...)`), nor stores it on `self`, nor hands it to a setter from
`context.setters` (`self.set_user_context(user_context)`).

## Why is this bad?
The caller did the right thing and passed the request's context, and the instance then
silently forgets it. Later code finds no context and falls back to shared state, so the
signature promises isolation that the object does not deliver.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, name="ForecastAgent")
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, name="ForecastAgent")
        if user_context is not None:
            self.set_user_context(user_context)
```

## Configuration
- `context.parameter`, `context.types`: which parameter carries the context.
- `context.setters`: calls that count as keeping it; the first entry is named in the message.
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound.

## Limitations
Only the three hand-offs above count, anywhere in the body of `__init__`. Passing the
context to a private helper (`self._configure(user_context)`) is reported even when the
helper stores it; storing any expression that mentions the parameter on `self` counts,
even `self.has_context = user_context is not None`. The visibility limits of NIL201
apply.
'''

NIL203 = '''
## What it does
Reports the creation of a context-bound class (see NIL201) without the user context: no
`user_context=` keyword (or the class's own context parameter name), no positional
argument in the context parameter's slot, no `**kwargs`, and no
`<same target>.set_user_context(...)` call anywhere in the same function.

## Why is this bad?
An agent or orchestrator created without a context serves no particular user. Until
someone remembers to bind it, its events have nowhere safe to go and code paths fall
back to the process-wide bridge.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, user_context=user_context)


def build_agent(llm_manager):
    return ForecastAgent(llm_manager)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    def __init__(self, llm_manager, user_context=None):
        super().__init__(llm_manager, user_context=user_context)


def build_agent(llm_manager, user_context):
    return ForecastAgent(llm_manager, user_context=user_context)
```

## Configuration
- `context.agent_bases`, `context.bound_classes`: which classes are context-bound; a
  `bound_classes` name counts even when the class is defined in an unseen module.
- `context.parameter`: the keyword that always satisfies the rule.
- `context.setters`: a setter call on the assigned name counts as binding it later.

## Limitations
When the class's `__init__` is not visible (it is in a file the front end does not
see), any positional argument whose name contains `context` or ends in `ctx` is assumed
to be the context. A class whose `__init__` cannot take the context is not reported
here (NIL201 reports the `__init__`). The visibility limits of NIL201 apply.
'''

NIL301 = '''
## What it does
Reports, in a class that caches an emitter on `self` (an attribute assigned from an
`emitters.factories` call anywhere in the class), each assignment to a context attribute
(`self.user_context = ...`, `self._user_context = ...`) in a method other than
`__init__` when that same method does not also reset every cached emitter attribute
(assign `None` or a fresh factory result).

## Why is this bad?
An emitter is bound to the context it was created from. If `set_user_context` rebinds
the agent to user B but keeps `self._websocket_emitter` from user A, every later
`agent_thinking` or `tool_completed` goes to user A.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _emitter(self):
        if self._websocket_emitter is None:
            bridge = AgentWebSocketBridge()
            self._websocket_emitter = await bridge.create_user_emitter(self.user_context)
        return self._websocket_emitter

    def set_user_context(self, user_context) -> None:
        self.user_context = user_context
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def _emitter(self):
        if self._websocket_emitter is None:
            bridge = AgentWebSocketBridge()
            self._websocket_emitter = await bridge.create_user_emitter(self.user_context)
        return self._websocket_emitter

    def set_user_context(self, user_context) -> None:
        self.user_context = user_context
        self._websocket_emitter = None
```

## Configuration
- `context.attributes`: the attributes whose assignment is a context change.
- `emitters.factories`: calls whose result, stored on `self`, is a cached emitter.

## Limitations
The reset must be written in the same method: calling `self._reset_emitter()` is not
recognised and is reported. Emitters cached from `emitters.getters` or from other
methods are not tracked, and the cache and the context change must be in the same class
body (a subclass overriding `set_user_context` of a caching base is not checked).
'''

NIL302 = '''
## What it does
Reports an emitter created by an `emitters.factories` or `emitters.getters` call that is
stored where it outlives the request: a module global, a class attribute (class body,
`cls.` in a classmethod, `ClassName.`), an item of a module-level container
(`_CACHE[key] = emitter`), or an argument of `append`, `add`, `insert`, `setdefault`,
`appendleft`, `extend` or `update` on a module-level container.

## Why is this bad?
An emitter belongs to the `UserExecutionContext` it was created from. Caching it in
shared state means the next request that finds it (a key collision, a reused run id, a
class attribute every instance sees) sends its events to the wrong user.

## Example
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge

_EMITTERS = {}


async def emitter_for(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    _EMITTERS[user_context.thread_id] = emitter
    return emitter
```

## Use instead
```python
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


async def emitter_for(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    return emitter
```

## Configuration
- `emitters.factories`, `emitters.getters`: the calls whose result is an emitter (exact
  call names, not dotted).

## Limitations
Only emitters whose origin is visible are tracked: a value known only by its name
(`emitters.names`) or returned from your own helper is not. Containers reached through
`self` (`self._cache[key] = emitter`), imported containers and storage on instance
attributes are not reported.
'''

NIL401 = '''
## What it does
Reports `<receiver>.emit_<name>(...)` when `<name>` is not in `critical_events` or
`custom_events` and `emit_<name>` is not an `emitters.helpers` method. The receiver must
be an emitter: bound from an `emitters.factories` or `emitters.getters` call, or named to
match `emitters.names` (default `emitter`, `*_emitter`, so `self._websocket_emitter`
counts). Calls on `self` are ignored. The message suggests the closest configured method.

## Why is this bad?
The frontend renders only the events it knows. A misspelt or invented event method
either fails at run time or sends a message the chat never shows, so the user sees an
agent that went silent; the five critical events are the contract with the client.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _run_tool(self, tool_name: str) -> None:
        await self._websocket_emitter.emit_tool_started({"tool_name": tool_name})
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent


class ForecastAgent(BaseAgent):
    async def _run_tool(self, tool_name: str) -> None:
        await self._websocket_emitter.emit_tool_executing({"tool_name": tool_name})
```

## Configuration
- `critical_events`, `custom_events`: the events that may be emitted.
- `emitters.helpers`: generic methods that are always allowed (default `emit_custom_event`).
- `emitters.names`, `emitters.factories`, `emitters.getters`: what counts as an emitter.

## Limitations
Receivers are classified by name when their binding is not visible, so an unrelated
object called `metrics_emitter` is checked, and an emitter passed in under another name
(`self._ws = ws`) is not.
Generic methods that real emitters have (`emit_critical_event`, `emit_auth_event`) are
reported unless added to `emitters.helpers`. Whether the method exists on the emitter
class is not checked.
'''

NIL402 = '''
## What it does
Reports a string literal passed as the first positional argument of an
`emitters.event_sinks` call (default `emit_custom_event`) when it is not in
`critical_events` or `custom_events`. The sink is matched by call name alone, on any
receiver or as a plain function. The message suggests the closest configured event.

## Why is this bad?
A custom event name is a string contract with the frontend. A typo
(`"agent_thinkng"`) or an undeclared name produces an event no client handles, and it
cannot be found by searching for the event's declaration.

## Example
```python
async def report_progress(emitter, agent_name: str, message: str) -> None:
    await emitter.emit_custom_event("agent_progres", {"agent_name": agent_name, "message": message})
```

## Use instead
```python
async def report_progress(emitter, agent_name: str, message: str) -> None:
    await emitter.emit_agent_thinking({"agent_name": agent_name, "thought": message})
```
or declare the event:
```yaml
custom_events: [agent_progress]
```

## Configuration
- `critical_events`, `custom_events`: the known events.
- `emitters.event_sinks`: calls whose first positional argument is an event name.

## Limitations
Only literal strings are judged. f-strings (`f"agent_{status}"`), variables, constants
and names passed by keyword are not; nor are sinks reached through `getattr`.
'''

NIL403 = '''
## What it does
Reported by the command-line interface, once per event, when a `critical_events` entry
is emitted nowhere in the files it was given. An event counts as emitted when some file
calls `<emitter>.emit_<event>(...)` on an emitter receiver (as classified for NIL401) or
passes it as a literal first argument to an `emitters.event_sinks` call, and that call can
work: a call that NIL404 or NIL405 shows will raise (a method the emitter does not have,
arguments its signature cannot take) emits nothing and does not count. The finding is
placed at line 1 of the config file, or of the first file checked when no config file is
used (code-scanning tools need a file).

## Why is this bad?
The chat UI is driven by the five critical events. If no code path sends, say,
`agent_completed`, users watch an agent that never finishes, even though every emitter
call that does exist is correct. This is typically lost in a migration from the bridge's
`notify_agent_completed` to the emitter.

## Example
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def execute(self, query: str) -> str:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_started({"agent_name": self.name})
        await emitter.emit_agent_thinking({"thought": "Reading usage data"})
        await emitter.emit_tool_executing({"tool_name": "usage_query"})
        rows = await self.tools.run("usage_query", query)
        await emitter.emit_tool_completed({"tool_name": "usage_query"})
        return self.summarise(rows)
```

## Use instead
```python
from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.services.agent_websocket_bridge import AgentWebSocketBridge


class ForecastAgent(BaseAgent):
    async def execute(self, query: str) -> str:
        emitter = await AgentWebSocketBridge().create_user_emitter(self.user_context)
        await emitter.emit_agent_started({"agent_name": self.name})
        await emitter.emit_agent_thinking({"thought": "Reading usage data"})
        await emitter.emit_tool_executing({"tool_name": "usage_query"})
        rows = await self.tools.run("usage_query", query)
        await emitter.emit_tool_completed({"tool_name": "usage_query"})
        summary = self.summarise(rows)
        await emitter.emit_agent_completed({"result": summary})
        return summary
```

## Configuration
- `critical_events`: the events that must be emitted somewhere.
- `emitters.names`, `emitters.factories`, `emitters.getters`, `emitters.event_sinks`:
  what counts as emitting (see NIL401 and NIL402).
- `select`, `ignore`, `per_path_ignores`: apply with the config file (or first PATH) as
  the finding's path.

## Limitations
It is a whole-project check: it runs only when a directory or more than one file is
given, and it is only as good as the set of files given. Tests that emit events count,
so lint the application code, not the test suite with it. Emits on `self`
(`self.emit_agent_started()`), legacy `notify_*` calls, f-string event names and files
that could not be parsed or were skipped do not count. It does not check that every
agent emits every event, only that the project does somewhere.

## Suppression
There is no line to put `# noqa` on. Use `ignore: [NIL403]`, or remove the event from
`critical_events` if the project really does not use it.
'''

NIL404 = '''
## What it does
Checks method calls on an emitter whose origin is visible: a name bound from an
`emitters.factories` or `emitters.getters` call. The linter finds the class(es) that
factory returns (its return annotation, the constructor it returns, or the emitter it
gets from another factory), or, when the factory itself is not visible, the classes in
`emitters.classes`. It reports the call when none of those classes, nor their bases,
defines the method or assigns an attribute of that name. The message suggests the
closest public method. A factory called on a class the file shows (`AgentWebSocketBridge()
.create_user_emitter(...)`, or `SomeEmitter.create_scoped_emitter(...)` on the class
itself) is checked the same way against that class: NIL404 when it lacks the factory,
NIL405 when the arguments do not fit it.

## Why is this bad?
The call raises `AttributeError` when the agent runs, usually inside a `try` that logs
and carries on, so the user's chat simply never shows the event. The migration renamed
the bridge's `notify_agent_thinking(run_id, name, message)` to the emitter's
`emit_agent_thinking(data)`; code moved half-way calls the old name on the new object.

## Example
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.notify_agent_thinking(message)
```

## Use instead
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking({"thought": message})
```

## Configuration
- `emitters.factories`, `emitters.getters`: calls whose result is checked.
- `emitters.classes`: the emitter classes to check against when the factory's own
  definition is not among the analysed files (a bare name or a dotted suffix).

## Limitations
Only what the front end sees can be judged: flake8 one file, pylint the file plus the
modules it imports from the same top-level package, the CLI every file given. Nothing is
reported when a class (or a base) is not visible, defines `__getattr__` or
`__getattribute__`, or when the receiver is an emitter only by its name.
'''

NIL405 = '''
## What it does
For a call on an emitter that NIL404 can check, and a method that exists, reports the
call when its arguments cannot bind to the method's signature (`self` excluded): too
many positional arguments, an unexpected keyword, a value given twice, or a required
argument missing. With several candidate classes, it reports only when the call fits
none of them. The message shows the parameters to use.

## Why is this bad?
The call raises `TypeError` at run time and the event is lost. The typical slip is
keeping the bridge's argument list (`run_id, agent_name, message`) when switching to
the emitter, whose event methods take a single payload.

## Example
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, run_id: str, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking(run_id, "ForecastAgent", message)
```

## Use instead
```python
class UserEmitter:
    async def emit_agent_thinking(self, data: dict) -> bool:
        return True


class EmitterFactory:
    async def create_user_emitter(self, user_context) -> UserEmitter:
        return UserEmitter()


async def think(user_context, run_id: str, message: str) -> None:
    emitter = await EmitterFactory().create_user_emitter(user_context)
    await emitter.emit_agent_thinking({"run_id": run_id, "thought": message})
```

## Configuration
- `emitters.factories`, `emitters.getters`, `emitters.classes`: as for NIL404.

## Limitations
Calls with `*args` or `**kwargs` are not judged. The signature is the one written in
the `def`: a decorator that changes it (a retry wrapper taking extra keywords) is not
seen and can cause a false report. The visibility limits of NIL404 apply.
'''

NIL900 = '''
## What it does
Reported by the command-line interface when a file cannot be parsed: a syntax error, an
undecodable encoding or coding cookie, null bytes, or nesting too deep for the Python
parser. The finding sits at the parser's line and column and quotes its message.

## Why is this bad?
No isolation rule could look at the file, so it might contain any of the problems this
linter exists to catch. A gate that stays green on code it could not read is not a gate.

## Example
```python
class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None
        await self.emitter.emit_agent_thinking({"thought": message})
```

## Use instead
```python
class ForecastAgent(BaseAgent):
    async def _send_update(self, message: str) -> None:
        await self.emitter.emit_agent_thinking({"thought": message})
```

## Configuration
No rule-specific keys. `exclude` keeps files (fixtures with deliberate syntax errors)
from being checked at all.

## Limitations
flake8 and pylint parse files themselves and report their own error (`E999`,
`syntax-error`), so NIL900 appears only in the CLI. A file is parsed with the Python
running the linter: syntax newer than that interpreter is reported as unparseable.

## Suppression
`# noqa` is not read from a file that cannot be parsed. Use `exclude`, `ignore` or a
`per_path_ignores` entry for `NIL900`.
'''

NIL901 = '''
## What it does
Reported at line 1 of a file when a rule raised an unexpected exception while checking
it. The message names the exception type. Every other file is still checked, and the
CLI exits with status 2 instead of 1.

## Why is this bad?
It is a bug in the linter, not in your code, but it means the file was not checked:
findings from the failed pass are dropped, so the file may hide real problems.

## Example
There is no code that should cause this. It appears as
`app/agents/forecast.py:1:1: NIL901 internal error while checking this file (KeyError); ...`.

## Use instead
Report the file's shape (a minimal snippet that reproduces it) at the
netra-isolation-lint issue tracker. Until it is fixed, exclude the file (`exclude` or a
`per_path_ignores` entry for `NIL901`) so the rest of the project stays gated.

## Configuration
No rule-specific keys.

## Limitations
flake8 and pylint report NIL901 like any other message. Only the CLI turns it into exit
status 2, and only while the finding is still reported after `select`, `ignore`,
`per_path_ignores` and `# noqa` are applied. An error in a whole-project check replaces
that file's findings with a single NIL901 in the same way.

## Suppression
`ignore: [NIL901]` and per-path ignores hide the finding and with it the exit status 2;
prefer a narrow `per_path_ignores` entry over a global ignore.
'''

NIL902 = '''
## What it does
Reported by the command-line interface at line 1 of a file it did not read. The reason
is one of: larger than `max_file_bytes`; not a regular file (FIFO, device, socket); a
symlink that points outside the directory being checked, or a broken one; permission
denied; the file disappeared; a directory below a given path could not be listed
(reported at the directory); or another read error. A symlinked file is followed only when its target
is a regular file inside the directory given on the command line (for a file named
directly, inside the current directory).

## Why is this bad?
A skipped file is an unchecked file. The linter never skips silently, so a vendored
blob, a dangling link or a generated file that grew past the limit shows up in review
rather than quietly weakening the gate.

## Example
A 3 MB generated module with the default limit:
`app/generated/schemas.py:1:1: NIL902 file not checked: larger than max_file_bytes (3145728 > 2097152 bytes)`.

## Use instead
Exclude files that are not meant to be checked, or raise the limit:
```yaml
exclude: ["*/generated/*"]
max_file_bytes: 4194304
```

## Configuration
- `max_file_bytes`: the size limit (default 2 MiB).
- `exclude`: globs of files and directories that are not checked at all (CLI only;
  see docs/configuration.md for how they are matched).

## Suppression
The file is not read, so `# noqa` in it cannot apply. Use `exclude`, or `ignore` /
`per_path_ignores` for `NIL902`.
'''
