import CLibvirt
import FoundationEssentials

/// A connection to a libvirt hypervisor driver (`virConnectPtr`).
///
/// libvirt connections are thread-safe, so one `Connection` may be shared
/// between tasks. The handle is closed in `deinit`, or earlier by `close()`.
/// Objects obtained through a connection (domains, networks, pools, volumes)
/// keep it alive.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = Lock()
    private var closed = false
    /// Event callbacks still registered, by token: each deregisters itself and
    /// finishes its stream, given the open handle.
    private var subscriptions: [Int: @Sendable (OpaquePointer) -> Void] = [:]
    private var nextSubscription = 0
    /// The close callback, once registered (`dropWatch()`).
    private var drops: DropWatch?

    /// The handle for calls; using a closed connection is a programmer error.
    var pointer: OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        precondition(!closed, "libvirt connection used after close()")
        return handle
    }

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - uri: a libvirt URI such as `qemu:///system` or `test:///default`.
    ///     `nil` lets libvirt choose: `LIBVIRT_DEFAULT_URI`, then its configured
    ///     default, then probing.
    ///   - readOnly: open a read-only connection, which needs fewer privileges.
    ///
    /// The corresponding C functions are `virConnectOpen` and `virConnectOpenReadOnly`.
    public init(uri: String? = nil, readOnly: Bool = false) throws {
        handle = try Call.pointer {
            if readOnly { return virConnectOpenReadOnly(uri) }
            return virConnectOpen(uri)
        }
    }

    /// Opens a connection with `flags`, without a credential callback: a
    /// driver that asks for credentials fails rather than prompting.
    /// The corresponding C function is `virConnectOpenAuth`.
    public init(uri: String?, flags: ConnectionOpenFlags) throws {
        handle = try Call.pointer { virConnectOpenAuth(uri, nil, flags.rawValue) }
    }

    deinit {
        guard !closed else { return }
        if drops != nil { virConnectUnregisterCloseCallback(handle, connectionDropCallback) }
        virConnectClose(handle)
    }

    /// Closes the connection now instead of in `deinit`: first deregisters every
    /// event callback and finishes its stream (a callback would otherwise keep
    /// libvirt's connection alive and delivering), then closes. Objects obtained
    /// from it keep libvirt's own reference until they are released.
    /// The corresponding C function is `virConnectClose`.
    public func close() {
        lock.lock()
        guard !closed else {
            lock.unlock()
            return
        }
        closed = true
        let unsubscribe = subscriptions.values
        subscriptions = [:]
        lock.unlock()
        // Outside the lock: finishing a stream runs its onTermination, which takes it.
        for each in unsubscribe { each(handle) }
        // Once it returns, no close callback is running (libvirt calls it under
        // the lock this takes), so the watch may go with the connection.
        if drops != nil { virConnectUnregisterCloseCallback(handle, connectionDropCallback) }
        virConnectClose(handle)
    }

    /// Reports when libvirt closes this connection without being asked: the
    /// daemon went away, or keepalive timed out (see `setKeepAlive`). Any
    /// number of these streams; each ends like `domainEvents(for:bufferLimit:)`,
    /// and `close()` ends it without reporting `.client`. In-process drivers
    /// (test, and qemu:///embed) never close by themselves.
    ///
    /// The corresponding C functions are `virConnectRegisterCloseCallback`
    /// and `virConnectUnregisterCloseCallback` (one registration per
    /// connection, shared with the event streams).
    public func closeEvents() throws -> AsyncStream<ConnectionCloseReason> {
        let watch = try dropWatch()
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionCloseReason.self, bufferingPolicy: .bufferingNewest(8))
        let key = watch.add(continuation)
        let token = addSubscription { _ in watch.remove(key)?.finish() }
        continuation.onTermination = { [self] _ in
            guard let (handle, unsubscribe) = removeSubscription(token) else { return }
            unsubscribe(handle)
        }
        return stream
    }

    /// Registers the connection's one close callback, once, and gives its watch.
    func dropWatch() throws -> DropWatch {
        lock.lock()
        defer { lock.unlock() }
        precondition(!closed, "libvirt connection used after close()")
        if let drops { return drops }
        let watch = DropWatch()
        watch.connection = self
        // Unretained: the connection holds the watch until it has unregistered the callback.
        let opaque = Unmanaged.passUnretained(watch).toOpaque()
        try Call.status { virConnectRegisterCloseCallback(handle, connectionDropCallback, opaque, nil) }
        drops = watch
        return watch
    }

    /// Ends every event stream after libvirt dropped the connection: their
    /// callbacks are deregistered (libvirt removes them locally, which finishes
    /// each stream) and the connection stays open until `close()` or `deinit`.
    func endSubscriptions() {
        lock.lock()
        guard !closed else {
            lock.unlock()
            return
        }
        let unsubscribe = subscriptions.values
        subscriptions = [:]
        // A reference of its own, so a close() meanwhile cannot free the handle under the calls.
        virConnectRef(handle)
        lock.unlock()
        for each in unsubscribe { each(handle) }
        virConnectClose(handle)
    }

    /// Event callbacks registered and not yet deregistered.
    var subscriptionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscriptions.count
    }

    /// Records an event callback's deregistration, run by `close()` unless
    /// `removeSubscription` takes it first.
    func addSubscription(_ unsubscribe: @escaping @Sendable (OpaquePointer) -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextSubscription += 1
        subscriptions[nextSubscription] = unsubscribe
        return nextSubscription
    }

    /// Takes a subscription's deregistration with the open handle; `nil` after `close()`.
    func removeSubscription(_ token: Int) -> (OpaquePointer, @Sendable (OpaquePointer) -> Void)? {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, let unsubscribe = subscriptions.removeValue(forKey: token) else { return nil }
        return (handle, unsubscribe)
    }

    // MARK: Host and driver

    /// The canonical URI of this connection.
    /// The corresponding C function is `virConnectGetURI`.
    public func uri() throws -> String {
        try Call.ownedString { virConnectGetURI(pointer) }
    }

    /// The host name of the hypervisor host.
    /// The corresponding C function is `virConnectGetHostname`.
    public func hostname() throws -> String {
        try Call.ownedString { virConnectGetHostname(pointer) }
    }

    /// The driver's name, such as `QEMU` or `TEST`.
    /// The corresponding C function is `virConnectGetType`.
    public func hypervisorType() throws -> String {
        try Call.borrowedString { virConnectGetType(pointer) }
    }

    /// The hypervisor's version (for QEMU, the QEMU version).
    /// The corresponding C function is `virConnectGetVersion`.
    public func hypervisorVersion() throws -> Version {
        var value: UInt = 0
        try Call.status { virConnectGetVersion(pointer, &value) }
        return Version(encoded: UInt64(value))
    }

    /// The version of libvirt on the daemon's side.
    /// The corresponding C function is `virConnectGetLibVersion`.
    public func libraryVersion() throws -> Version {
        var value: UInt = 0
        try Call.status { virConnectGetLibVersion(pointer, &value) }
        return Version(encoded: UInt64(value))
    }

    /// CPU and memory of the host.
    /// The corresponding C function is `virNodeGetInfo`.
    public func nodeInfo() throws -> NodeInfo {
        var info = virNodeInfo()
        try Call.status { virNodeGetInfo(pointer, &info) }
        let model = withUnsafeBytes(of: info.model) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return NodeInfo(
            model: model, memoryKiB: UInt64(info.memory), cpus: Int(info.cpus), mhz: Int(info.mhz),
            nodes: Int(info.nodes), sockets: Int(info.sockets), cores: Int(info.cores), threads: Int(info.threads))
    }

    /// The host capabilities XML: guests, emulators, machine types, domain types.
    /// The corresponding C function is `virConnectGetCapabilities`.
    public func capabilitiesXML() throws -> String {
        try Call.ownedString { virConnectGetCapabilities(pointer) }
    }

    /// The domain capabilities XML for one emulator/arch/machine/virt type; `nil` lets libvirt choose.
    /// The corresponding C function is `virConnectGetDomainCapabilities`.
    public func domainCapabilitiesXML(
        emulator: String? = nil, arch: String? = nil, machine: String? = nil, virtType: String? = nil
    ) throws -> String {
        try Call.ownedString { virConnectGetDomainCapabilities(pointer, emulator, arch, machine, virtType, 0) }
    }

    /// Whether the connection still works (for remote ones, whether the link is up).
    /// The corresponding C function is `virConnectIsAlive`.
    public func isAlive() throws -> Bool {
        try Call.status { virConnectIsAlive(pointer) } == 1
    }

    /// Whether the connection is encrypted.
    /// The corresponding C function is `virConnectIsEncrypted`.
    public func isEncrypted() throws -> Bool {
        try Call.status { virConnectIsEncrypted(pointer) } == 1
    }

    /// Whether the connection is secure (local socket or encrypted).
    /// The corresponding C function is `virConnectIsSecure`.
    public func isSecure() throws -> Bool {
        try Call.status { virConnectIsSecure(pointer) } == 1
    }

    /// Starts keepalive messages on a remote connection: one every `interval`
    /// seconds; the connection is closed after `count` unanswered ones.
    /// Returns `false` when the connection does not support keepalive (local drivers).
    /// The corresponding C function is `virConnectSetKeepAlive`.
    @discardableResult
    public func setKeepAlive(interval: Int32 = 5, count: UInt32 = 3) throws -> Bool {
        try Call.status { virConnectSetKeepAlive(pointer, interval, count) } == 0
    }

    // MARK: Domains

    /// All domains matching `filter` (empty: all of them).
    /// The corresponding C function is `virConnectListAllDomains`.
    public func domains(_ filter: DomainListFilter = []) throws -> [Domain] {
        try Call.list({ virConnectListAllDomains(pointer, $0, filter.rawValue) }) { Domain(handle: $0, connection: self) }
    }

    /// Looks up a domain by name; throws `.noDomain` when there is none.
    /// The corresponding C function is `virDomainLookupByName`.
    public func domain(named name: String) throws -> Domain {
        Domain(handle: try Call.pointer { virDomainLookupByName(pointer, name) }, connection: self)
    }

    /// Looks up a domain by UUID string; throws `.noDomain` when there is none.
    /// The corresponding C function is `virDomainLookupByUUIDString`.
    public func domain(uuid: String) throws -> Domain {
        Domain(handle: try Call.pointer { virDomainLookupByUUIDString(pointer, uuid) }, connection: self)
    }

    /// Looks up a running domain by its hypervisor ID; throws `.noDomain` when there is none.
    /// The corresponding C function is `virDomainLookupByID`.
    public func domain(id: Int32) throws -> Domain {
        Domain(handle: try Call.pointer { virDomainLookupByID(pointer, id) }, connection: self)
    }

    /// Defines (or redefines) a persistent domain from XML.
    /// With `validate`, libvirt checks the XML against its RelaxNG schema first.
    /// The corresponding C function is `virDomainDefineXMLFlags`.
    public func defineDomain(xml: String, validate: Bool = true) throws -> Domain {
        let flags: UInt32 = validate ? VIR_DOMAIN_DEFINE_VALIDATE.rawValue : 0
        return Domain(handle: try Call.pointer { virDomainDefineXMLFlags(pointer, xml, flags) }, connection: self)
    }

    /// Creates and starts a transient domain, which disappears when it stops.
    /// The corresponding C function is `virDomainCreateXML`.
    public func createTransientDomain(xml: String, flags: DomainCreateFlags = [.validate]) throws -> Domain {
        Domain(handle: try Call.pointer { virDomainCreateXML(pointer, xml, flags.rawValue) }, connection: self)
    }

    // MARK: Networks

    /// All virtual networks matching `filter` (empty: all).
    /// The corresponding C function is `virConnectListAllNetworks`.
    public func networks(_ filter: NetworkListFilter = []) throws -> [Network] {
        try Call.list({ virConnectListAllNetworks(pointer, $0, filter.rawValue) }) { Network(handle: $0, connection: self) }
    }

    /// Looks up a network by name; throws `.noNetwork` when there is none.
    /// The corresponding C function is `virNetworkLookupByName`.
    public func network(named name: String) throws -> Network {
        Network(handle: try Call.pointer { virNetworkLookupByName(pointer, name) }, connection: self)
    }

    /// Looks up a network by UUID string.
    /// The corresponding C function is `virNetworkLookupByUUIDString`.
    public func network(uuid: String) throws -> Network {
        Network(handle: try Call.pointer { virNetworkLookupByUUIDString(pointer, uuid) }, connection: self)
    }

    /// Defines a persistent network from XML (inactive until started).
    /// The corresponding C function is `virNetworkDefineXMLFlags`.
    public func defineNetwork(xml: String, validate: Bool = true) throws -> Network {
        let flags: UInt32 = validate ? VIR_NETWORK_DEFINE_VALIDATE.rawValue : 0
        return Network(handle: try Call.pointer { virNetworkDefineXMLFlags(pointer, xml, flags) }, connection: self)
    }

    /// Creates and starts a transient network.
    /// The corresponding C function is `virNetworkCreateXMLFlags`.
    public func createTransientNetwork(xml: String, validate: Bool = true) throws -> Network {
        let flags: UInt32 = validate ? VIR_NETWORK_CREATE_VALIDATE.rawValue : 0
        return Network(handle: try Call.pointer { virNetworkCreateXMLFlags(pointer, xml, flags) }, connection: self)
    }

    // MARK: Storage

    /// All storage pools matching `filter` (empty: all).
    /// The corresponding C function is `virConnectListAllStoragePools`.
    public func storagePools(_ filter: StoragePoolListFilter = []) throws -> [StoragePool] {
        try Call.list({ virConnectListAllStoragePools(pointer, $0, filter.rawValue) }) {
            StoragePool(handle: $0, connection: self)
        }
    }

    /// Looks up a storage pool by name; throws `.noStoragePool` when there is none.
    /// The corresponding C function is `virStoragePoolLookupByName`.
    public func storagePool(named name: String) throws -> StoragePool {
        StoragePool(handle: try Call.pointer { virStoragePoolLookupByName(pointer, name) }, connection: self)
    }

    /// Looks up a storage pool by UUID string.
    /// The corresponding C function is `virStoragePoolLookupByUUIDString`.
    public func storagePool(uuid: String) throws -> StoragePool {
        StoragePool(handle: try Call.pointer { virStoragePoolLookupByUUIDString(pointer, uuid) }, connection: self)
    }

    /// Defines a persistent storage pool from XML (inactive until built and started).
    /// The corresponding C function is `virStoragePoolDefineXML`.
    public func defineStoragePool(xml: String, validate: Bool = true) throws -> StoragePool {
        let flags: UInt32 = validate ? VIR_STORAGE_POOL_DEFINE_VALIDATE.rawValue : 0
        return StoragePool(handle: try Call.pointer { virStoragePoolDefineXML(pointer, xml, flags) }, connection: self)
    }

    /// Looks up a storage volume by its path on the host; throws `.noStorageVolume` when none.
    /// The corresponding C function is `virStorageVolLookupByPath`.
    public func storageVolume(path: String) throws -> StorageVolume {
        StorageVolume(handle: try Call.pointer { virStorageVolLookupByPath(pointer, path) }, connection: self)
    }

    /// Looks up a storage volume by its globally unique key.
    /// The corresponding C function is `virStorageVolLookupByKey`.
    public func storageVolume(key: String) throws -> StorageVolume {
        StorageVolume(handle: try Call.pointer { virStorageVolLookupByKey(pointer, key) }, connection: self)
    }
}

/// The host's CPUs and memory (`virNodeInfo`).
public struct NodeInfo: Sendable, Hashable, Codable {
    /// CPU model string, such as `x86_64`.
    public var model: String
    /// Memory in KiB.
    public var memoryKiB: UInt64
    /// Active CPUs.
    public var cpus: Int
    /// Expected CPU frequency in MHz (0 when unknown).
    public var mhz: Int
    public var nodes: Int
    public var sockets: Int
    public var cores: Int
    public var threads: Int
}
