//! [`watch`]: the thread that follows focus on the accessibility bus.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use futures_lite::{FutureExt as _, StreamExt as _};
use zbus::zvariant::{OwnedObjectPath, Structure, Value};
use zbus::{Connection, MatchRule, MessageStream, Proxy, message};

use crate::Error;
use crate::lease::{self, Lease};

/// AT-SPI's role number for a password entry (`ATSPI_ROLE_PASSWORD_TEXT`).
pub const ROLE_PASSWORD_TEXT: u32 = 40;

/// The event the registry is asked to have applications send.
const FOCUS_EVENT: &str = "object:state-changed:focused";
/// How often the thread looks at its stop flag while the bus is quiet.
const POLL: Duration = Duration::from_millis(200);

/// A running watcher; stops (and restores the accessibility flag) when
/// dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("running", &self.thread.is_some()).finish()
    }
}

/// Connects to the accessibility bus and follows focus on a thread;
/// `on_change(true)` when a password field gains focus, `on_change(false)`
/// when it loses it. Fails (and starts nothing) when there is no session
/// bus or no accessibility bus on it.
pub fn watch(on_change: impl FnMut(bool) + Send + 'static) -> Result<Watcher, Error> {
    let Some(address) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") else {
        return Err(Error::NoSessionBus);
    };
    watch_bus(&address.to_string_lossy(), on_change)
}

/// [`watch`] through the session bus at `session_address`.
pub fn watch_bus(session_address: &str, on_change: impl FnMut(bool) + Send + 'static) -> Result<Watcher, Error> {
    watch_bus_in(session_address, lease::runtime_dir().as_deref(), on_change)
}

/// [`watch_bus`] with the note that the flag is to be restored (see
/// [`crate::lease`]) kept in `lease_dir` instead of the user's runtime
/// folder; `None` keeps none (the flag is then restored on a clean stop
/// only).
pub fn watch_bus_in(
    session_address: &str,
    lease_dir: Option<&std::path::Path>,
    on_change: impl FnMut(bool) + Send + 'static,
) -> Result<Watcher, Error> {
    let buses = async_io::block_on(Buses::connect(session_address, lease_dir))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("tw-a11y".into())
        .spawn(move || async_io::block_on(buses.follow(flag, on_change)))
        .map_err(Error::Thread)?;
    Ok(Watcher { stop, thread: Some(thread) })
}

/// The connections and the focus stream, set up before the thread starts
/// so that errors reach the caller.
struct Buses {
    /// `org.a11y.Status` on the session bus: the accessibility flag.
    status: Proxy<'static>,
    /// Whether this watcher turns the accessibility flag off when it stops
    /// (it turned it on, or took over from a watcher that died).
    lease: Lease,
    a11y: Connection,
    focus: MessageStream,
}

impl Buses {
    async fn connect(session_address: &str, lease_dir: Option<&std::path::Path>) -> Result<Buses, Error> {
        let session = zbus::connection::Builder::address(session_address)?.build().await?;
        let status = Proxy::new(&session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Status").await?;
        let enabled: bool = status.get_property("IsEnabled").await.unwrap_or(false);
        let lease = Lease::take(lease_dir, session_address, enabled);
        if !enabled && let Err(e) = status.set_property("IsEnabled", true).await {
            lease.release();
            return Err(zbus::Error::from(e).into());
        }
        match Buses::listen(&session).await {
            Ok((a11y, focus)) => Ok(Buses { status, lease, a11y, focus }),
            Err(e) => {
                // Nothing to watch with: the flag goes back as it was.
                if lease.owned() && status.set_property("IsEnabled", false).await.is_ok() {
                    lease.release();
                }
                Err(e)
            }
        }
    }

    /// Connects to the accessibility bus and subscribes to focus changes.
    async fn listen(session: &Connection) -> Result<(Connection, MessageStream), Error> {
        let reply = session
            .call_method(Some("org.a11y.Bus"), "/org/a11y/bus", Some("org.a11y.Bus"), "GetAddress", &())
            .await?;
        let address: String = reply.body().deserialize()?;
        let a11y = zbus::connection::Builder::address(address.as_str())?.build().await?;
        // Listen first, then ask applications to send: nothing is missed.
        let rule = MatchRule::builder()
            .msg_type(message::Type::Signal)
            .interface("org.a11y.atspi.Event.Object")?
            .member("StateChanged")?
            .arg(0, "focused")?
            .build();
        let focus = MessageStream::for_match_rule(rule, &a11y, Some(256)).await?;
        let registry = ("org.a11y.atspi.Registry", "/org/a11y/atspi/registry", "org.a11y.atspi.Registry");
        let registered = a11y
            .call_method(Some(registry.0), registry.1, Some(registry.2), "RegisterEvent", &(FOCUS_EVENT, Vec::<String>::new(), ""))
            .await;
        if registered.is_err() {
            // Registries before AT-SPI 2.46 take the event name alone.
            a11y.call_method(Some(registry.0), registry.1, Some(registry.2), "RegisterEvent", &(FOCUS_EVENT,)).await?;
        }
        Ok((a11y, focus))
    }

    /// Follows focus until `stop` is set or the bus goes away.
    async fn follow(mut self, stop: Arc<AtomicBool>, mut on_change: impl FnMut(bool)) {
        // The password field that has focus, by application and object.
        let mut focused: Option<(String, OwnedObjectPath)> = None;
        while !stop.load(Ordering::SeqCst) {
            let next = async { Some(self.focus.next().await) }
                .or(async {
                    async_io::Timer::after(POLL).await;
                    None
                })
                .await;
            let message = match next {
                None => continue,
                Some(Some(Ok(message))) => message,
                Some(Some(Err(_))) => continue,
                Some(None) => break,
            };
            let Some(change) = FocusChange::of(&message) else { continue };
            if change.gained {
                // A role that cannot be read counts as a password field:
                // the keys then go unrecorded until focus moves on, rather
                // than a password being recorded.
                let password = self.role(&change).await.is_none_or(|role| role == ROLE_PASSWORD_TEXT);
                let was = focused.is_some();
                focused = password.then(|| (change.sender.clone(), change.path.clone()));
                if password != was {
                    on_change(password);
                }
            } else if focused.as_ref().is_some_and(|(s, p)| *s == change.sender && *p == change.path) {
                focused = None;
                on_change(false);
            }
        }
        if focused.is_some() {
            on_change(false);
        }
        if self.lease.owned() && self.status.set_property("IsEnabled", false).await.is_ok() {
            self.lease.release();
        }
        let _ = self.a11y.close().await;
    }

    /// The role of the object a change is about; `None` when it cannot be
    /// read (the application went away, or does not answer).
    async fn role(&self, change: &FocusChange) -> Option<u32> {
        let reply = self
            .a11y
            .call_method(
                Some(change.sender.as_str()),
                change.path.as_str(),
                Some("org.a11y.atspi.Accessible"),
                "GetRole",
                &(),
            )
            .await
            .ok()?;
        reply.body().deserialize::<u32>().ok()
    }
}

/// One `StateChanged` signal for the `focused` state.
struct FocusChange {
    sender: String,
    path: OwnedObjectPath,
    gained: bool,
}

impl FocusChange {
    fn of(message: &zbus::Message) -> Option<FocusChange> {
        let header = message.header();
        let sender = header.sender()?.to_string();
        let path = OwnedObjectPath::from(header.path()?.clone());
        let body = message.body();
        let fields: Structure = body.deserialize().ok()?;
        let fields = fields.fields();
        let detail = match fields.first()? {
            Value::Str(s) => s.as_str(),
            _ => return None,
        };
        if detail != "focused" {
            return None;
        }
        let gained = match fields.get(1)? {
            Value::I32(n) => *n == 1,
            _ => return None,
        };
        Some(FocusChange { sender, path, gained })
    }
}

/// Whether the accessibility flag (`org.a11y.Status.IsEnabled`) of the
/// session bus at `session_address` is on.
pub fn accessibility_flag(session_address: &str) -> Result<bool, Error> {
    async_io::block_on(async {
        let session = zbus::connection::Builder::address(session_address)?.build().await?;
        let status = Proxy::new(&session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Status").await?;
        let on: bool = status.get_property("IsEnabled").await?;
        Ok(on)
    })
}
