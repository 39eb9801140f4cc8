import CLibvirt

/// An error reported by libvirt, copied from the calling thread's last error
/// right after the failing call.
///
/// The binding's calls throw untyped, and every error they throw is a
/// `LibvirtError`. `code`, `origin` and `level` are open structs over
/// libvirt's integer values, so codes that a newer libvirt returns still
/// round-trip. Match a code with `~=` (`catch LibvirtError.Code.noDomain`,
/// several separated by commas) or with
/// `catch let error as LibvirtError where error.code == .noDomain`.
public struct LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong (`virErrorNumber`).
    public var code: Code
    /// Which part of libvirt reported it (`virErrorDomain`).
    public var origin: Origin
    /// libvirt's own message, unchanged.
    public var message: String
    /// How bad it is (`virErrorLevel`).
    public var level: Level

    public init(code: Code, origin: Origin = .none, message: String, level: Level = .error) {
        self.code = code
        self.origin = origin
        self.message = message
        self.level = level
    }

    /// One line: libvirt's message, then its code by name and number.
    public var description: String {
        "\(message) (libvirt error \(code.name), code \(code.rawValue))"
    }

    /// A libvirt error code (`virErrorNumber`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virErrorNumber) { self.rawValue = Int32(value.rawValue) }

        public static let ok = Code(VIR_ERR_OK)
        public static let internalError = Code(VIR_ERR_INTERNAL_ERROR)
        public static let noMemory = Code(VIR_ERR_NO_MEMORY)
        public static let noSupport = Code(VIR_ERR_NO_SUPPORT)
        public static let unknownHost = Code(VIR_ERR_UNKNOWN_HOST)
        public static let noConnect = Code(VIR_ERR_NO_CONNECT)
        public static let invalidConnection = Code(VIR_ERR_INVALID_CONN)
        public static let invalidDomain = Code(VIR_ERR_INVALID_DOMAIN)
        public static let invalidArgument = Code(VIR_ERR_INVALID_ARG)
        public static let operationFailed = Code(VIR_ERR_OPERATION_FAILED)
        public static let getFailed = Code(VIR_ERR_GET_FAILED)
        public static let postFailed = Code(VIR_ERR_POST_FAILED)
        public static let httpError = Code(VIR_ERR_HTTP_ERROR)
        public static let unknownOS = Code(VIR_ERR_OS_TYPE)
        public static let noKernel = Code(VIR_ERR_NO_KERNEL)
        public static let noRoot = Code(VIR_ERR_NO_ROOT)
        public static let noSource = Code(VIR_ERR_NO_SOURCE)
        public static let noTarget = Code(VIR_ERR_NO_TARGET)
        public static let noName = Code(VIR_ERR_NO_NAME)
        public static let noOS = Code(VIR_ERR_NO_OS)
        public static let noDevice = Code(VIR_ERR_NO_DEVICE)
        public static let driverFull = Code(VIR_ERR_DRIVER_FULL)
        public static let callFailed = Code(VIR_ERR_CALL_FAILED)
        public static let xmlError = Code(VIR_ERR_XML_ERROR)
        public static let domainExists = Code(VIR_ERR_DOM_EXIST)
        public static let operationDenied = Code(VIR_ERR_OPERATION_DENIED)
        public static let openFailed = Code(VIR_ERR_OPEN_FAILED)
        public static let readFailed = Code(VIR_ERR_READ_FAILED)
        public static let parseFailed = Code(VIR_ERR_PARSE_FAILED)
        public static let confSyntax = Code(VIR_ERR_CONF_SYNTAX)
        public static let writeFailed = Code(VIR_ERR_WRITE_FAILED)
        public static let xmlDetail = Code(VIR_ERR_XML_DETAIL)
        public static let invalidNetwork = Code(VIR_ERR_INVALID_NETWORK)
        public static let networkExists = Code(VIR_ERR_NETWORK_EXIST)
        public static let systemError = Code(VIR_ERR_SYSTEM_ERROR)
        public static let rpc = Code(VIR_ERR_RPC)
        public static let gnutlsError = Code(VIR_ERR_GNUTLS_ERROR)
        public static let noDomain = Code(VIR_ERR_NO_DOMAIN)
        public static let noNetwork = Code(VIR_ERR_NO_NETWORK)
        public static let invalidMAC = Code(VIR_ERR_INVALID_MAC)
        public static let authFailed = Code(VIR_ERR_AUTH_FAILED)
        public static let invalidStoragePool = Code(VIR_ERR_INVALID_STORAGE_POOL)
        public static let invalidStorageVolume = Code(VIR_ERR_INVALID_STORAGE_VOL)
        public static let noStoragePool = Code(VIR_ERR_NO_STORAGE_POOL)
        public static let noStorageVolume = Code(VIR_ERR_NO_STORAGE_VOL)
        public static let operationInvalid = Code(VIR_ERR_OPERATION_INVALID)
        public static let noSecurityModel = Code(VIR_ERR_NO_SECURITY_MODEL)
        public static let buildFirewall = Code(VIR_ERR_BUILD_FIREWALL)
        public static let configUnsupported = Code(VIR_ERR_CONFIG_UNSUPPORTED)
        public static let operationTimeout = Code(VIR_ERR_OPERATION_TIMEOUT)
        public static let migratePersistFailed = Code(VIR_ERR_MIGRATE_PERSIST_FAILED)
        public static let noDomainSnapshot = Code(VIR_ERR_NO_DOMAIN_SNAPSHOT)
        public static let invalidDomainSnapshot = Code(VIR_ERR_INVALID_DOMAIN_SNAPSHOT)
        public static let operationAborted = Code(VIR_ERR_OPERATION_ABORTED)
        public static let authCancelled = Code(VIR_ERR_AUTH_CANCELLED)
        public static let noDomainMetadata = Code(VIR_ERR_NO_DOMAIN_METADATA)
        public static let migrateUnsafe = Code(VIR_ERR_MIGRATE_UNSAFE)
        public static let overflow = Code(VIR_ERR_OVERFLOW)
        public static let blockCopyActive = Code(VIR_ERR_BLOCK_COPY_ACTIVE)
        public static let operationUnsupported = Code(VIR_ERR_OPERATION_UNSUPPORTED)
        public static let storageProbeFailed = Code(VIR_ERR_STORAGE_PROBE_FAILED)
        public static let storagePoolBuilt = Code(VIR_ERR_STORAGE_POOL_BUILT)
        public static let agentUnresponsive = Code(VIR_ERR_AGENT_UNRESPONSIVE)
        public static let resourceBusy = Code(VIR_ERR_RESOURCE_BUSY)
        public static let accessDenied = Code(VIR_ERR_ACCESS_DENIED)
        public static let dbusService = Code(VIR_ERR_DBUS_SERVICE)
        public static let storageVolumeExists = Code(VIR_ERR_STORAGE_VOL_EXIST)
        public static let cpuIncompatible = Code(VIR_ERR_CPU_INCOMPATIBLE)
        public static let xmlInvalidSchema = Code(VIR_ERR_XML_INVALID_SCHEMA)
        public static let migrateFinishOK = Code(VIR_ERR_MIGRATE_FINISH_OK)
        public static let authUnavailable = Code(VIR_ERR_AUTH_UNAVAILABLE)
        public static let noServer = Code(VIR_ERR_NO_SERVER)
        public static let noClient = Code(VIR_ERR_NO_CLIENT)
        public static let agentUnsynced = Code(VIR_ERR_AGENT_UNSYNCED)
        public static let libssh = Code(VIR_ERR_LIBSSH)
        public static let deviceMissing = Code(VIR_ERR_DEVICE_MISSING)
        public static let invalidNWFilterBinding = Code(VIR_ERR_INVALID_NWFILTER_BINDING)
        public static let noNWFilterBinding = Code(VIR_ERR_NO_NWFILTER_BINDING)
        /// No network filter of that name or UUID (`VIR_ERR_NO_NWFILTER`).
        public static let noNWFilter = Code(VIR_ERR_NO_NWFILTER)
        /// No checkpoint of that name, or no parent (`VIR_ERR_NO_DOMAIN_CHECKPOINT`).
        public static let noDomainCheckpoint = Code(VIR_ERR_NO_DOMAIN_CHECKPOINT)
        public static let noNetworkPort = Code(VIR_ERR_NO_NETWORK_PORT)
        public static let noHostname = Code(VIR_ERR_NO_HOSTNAME)
        public static let checkpointInconsistent = Code(VIR_ERR_CHECKPOINT_INCONSISTENT)
        public static let multipleDomains = Code(VIR_ERR_MULTIPLE_DOMAINS)
        public static let noSecret = Code(VIR_ERR_NO_SECRET)
        public static let invalidSecret = Code(VIR_ERR_INVALID_SECRET)
        public static let noNodeDevice = Code(VIR_ERR_NO_NODE_DEVICE)
        public static let noInterface = Code(VIR_ERR_NO_INTERFACE)
        public static let argumentUnsupported = Code(VIR_ERR_ARGUMENT_UNSUPPORTED)

        private static let names: [Int32: String] = [
            ok.rawValue: "ok", internalError.rawValue: "internal-error", noMemory.rawValue: "no-memory",
            noSupport.rawValue: "no-support", noConnect.rawValue: "no-connect",
            invalidArgument.rawValue: "invalid-argument", operationFailed.rawValue: "operation-failed",
            xmlError.rawValue: "xml-error", domainExists.rawValue: "domain-exists",
            operationDenied.rawValue: "operation-denied", xmlDetail.rawValue: "xml-detail",
            networkExists.rawValue: "network-exists", systemError.rawValue: "system-error",
            rpc.rawValue: "rpc", noDomain.rawValue: "no-domain", noNetwork.rawValue: "no-network",
            invalidMAC.rawValue: "invalid-mac", authFailed.rawValue: "auth-failed",
            noStoragePool.rawValue: "no-storage-pool", noStorageVolume.rawValue: "no-storage-volume",
            operationInvalid.rawValue: "operation-invalid", configUnsupported.rawValue: "config-unsupported",
            operationTimeout.rawValue: "operation-timeout", noDomainSnapshot.rawValue: "no-domain-snapshot",
            noNWFilter.rawValue: "no-nwfilter", noDomainCheckpoint.rawValue: "no-domain-checkpoint",
            noNWFilterBinding.rawValue: "no-nwfilter-binding",
            operationAborted.rawValue: "operation-aborted", noDomainMetadata.rawValue: "no-domain-metadata",
            operationUnsupported.rawValue: "operation-unsupported", agentUnresponsive.rawValue: "agent-unresponsive",
            resourceBusy.rawValue: "resource-busy", accessDenied.rawValue: "access-denied",
            storageVolumeExists.rawValue: "storage-volume-exists", xmlInvalidSchema.rawValue: "xml-invalid-schema",
            authUnavailable.rawValue: "auth-unavailable", deviceMissing.rawValue: "device-missing",
            invalidDomain.rawValue: "invalid-domain", invalidNetwork.rawValue: "invalid-network",
            invalidConnection.rawValue: "invalid-connection", invalidStoragePool.rawValue: "invalid-storage-pool",
            invalidStorageVolume.rawValue: "invalid-storage-volume", storagePoolBuilt.rawValue: "storage-pool-built",
            cpuIncompatible.rawValue: "cpu-incompatible", openFailed.rawValue: "open-failed",
            readFailed.rawValue: "read-failed", writeFailed.rawValue: "write-failed",
            noHostname.rawValue: "no-hostname", multipleDomains.rawValue: "multiple-domains",
            noSecret.rawValue: "no-secret", invalidSecret.rawValue: "invalid-secret",
            noNodeDevice.rawValue: "no-node-device", noInterface.rawValue: "no-interface",
            argumentUnsupported.rawValue: "argument-unsupported",
        ]

        /// A stable kebab-case name: the binding's own for the codes above, else
        /// virterror.h's (`VIR_ERR_NO_SECRET` is `no-secret`); `code-N` only for a
        /// code newer than the libvirt the binding was built against.
        public var name: String { Self.names[rawValue] ?? generatedErrorCodeNames[rawValue] ?? "code-\(rawValue)" }
        public var description: String { name }

        /// Lets `catch LibvirtError.Code.noDomain` style patterns match an error.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? LibvirtError)?.code == code
        }
    }

    /// The part of libvirt that raised an error (`virErrorDomain`).
    public struct Origin: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virErrorDomain) { self.rawValue = Int32(value.rawValue) }

        /// virterror.h's name in kebab case (`VIR_FROM_DOMAIN_SNAPSHOT` is
        /// `domain-snapshot`), or `origin-N` for one newer than the build's libvirt.
        public var name: String { generatedErrorOriginNames[rawValue] ?? "origin-\(rawValue)" }
        public var description: String { name }

        public static let none = Origin(VIR_FROM_NONE)
        public static let xen = Origin(VIR_FROM_XEN)
        public static let xml = Origin(VIR_FROM_XML)
        public static let dom = Origin(VIR_FROM_DOM)
        public static let rpc = Origin(VIR_FROM_RPC)
        public static let qemu = Origin(VIR_FROM_QEMU)
        public static let net = Origin(VIR_FROM_NET)
        public static let test = Origin(VIR_FROM_TEST)
        public static let remote = Origin(VIR_FROM_REMOTE)
        public static let network = Origin(VIR_FROM_NETWORK)
        public static let storage = Origin(VIR_FROM_STORAGE)
        public static let security = Origin(VIR_FROM_SECURITY)
        public static let domainSnapshot = Origin(VIR_FROM_DOMAIN_SNAPSHOT)
        public static let conf = Origin(VIR_FROM_CONF)
        public static let domain = Origin(VIR_FROM_DOMAIN)
        public static let nwfilter = Origin(VIR_FROM_NWFILTER)
        public static let secret = Origin(VIR_FROM_SECRET)
        public static let nodedev = Origin(VIR_FROM_NODEDEV)
    }

    /// Severity (`virErrorLevel`).
    public struct Level: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let none = Level(rawValue: Int32(VIR_ERR_NONE.rawValue))
        public static let warning = Level(rawValue: Int32(VIR_ERR_WARNING.rawValue))
        public static let error = Level(rawValue: Int32(VIR_ERR_ERROR.rawValue))
    }
}
