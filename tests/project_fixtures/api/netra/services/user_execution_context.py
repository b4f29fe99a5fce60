from dataclasses import dataclass


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str

    @classmethod
    def from_request(cls, user_id: str, thread_id: str, run_id: str) -> "UserExecutionContext":
        return cls(user_id, thread_id, run_id)

    def child(self, operation: str) -> "UserExecutionContext":
        return self
