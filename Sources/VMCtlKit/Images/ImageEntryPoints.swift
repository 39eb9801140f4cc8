import FoundationEssentials
import Libvirt
import LibvirtXML

// Where each entry point hands its image to `ImageInspector`: the commands
// call one of these, so the rules live in one place.

extension StorageService {
    /// `path` as `vol import` (and `image fetch`, and a lab's `images:`) takes
    /// it: inspected, flat (no backing file), and not empty. `pendingDirectories`:
    /// pools a larger plan makes first.
    func importable(_ path: String, field: String, pendingDirectories: [String] = []) throws(VMCtlError) -> InspectedImage {
        var inspector = try ImageInspector.forPools(of: connection, pendingDirectories: pendingDirectories)
        // The file to import is on this machine, whatever the daemon's files are.
        inspector.daemonView = nil
        let image = try inspector.inspect(path, field: field)
        if let backing = image.backing.first {
            throw .invalid(field: field, "'\(path)' is an overlay of '\(backing.path)'; import a flattened image (qemu-img convert)")
        }
        guard image.virtualSize > 0 else { throw .invalid(field: field, "'\(path)' has a virtual size of 0 bytes") }
        return image
    }

    /// A pool volume another is built on (`vol create --backing`) or copied from
    /// (`vol clone`): inspected with the format libvirt has for it, which is then stated.
    func checkedBacking(_ path: String, told: DiskFormat?, field: String) throws(VMCtlError) -> BackingStore {
        BackingStore(path: path, format: try ImageInspector.forPools(of: connection).inspect(path, told: told, field: field).format)
    }
}

extension VMCreator {
    /// A base image once inspected: a file's capacity is its virtual size; a
    /// pool volume's header must agree with the format libvirt has for it
    /// (virStorageVolGetXMLDesc).
    func inspected(_ base: ResolvedImage, volume: StorageVolume?) throws(VMCtlError) -> ResolvedImage {
        var told: DiskFormat?
        if let volume {
            let xml = try libvirt("reading volume '\(volume.name)'") { try volume.xml() }
            told = (try? StorageVolumeDefinition(xml: xml))?.format
        }
        let image = try inspector().inspect(base.path, told: told, field: "--image")
        var result = base
        if base.poolVolume == nil { result.capacity = image.virtualSize }
        return result
    }

    /// The overlay's `<backingStore>`: the base inspected again as the overlay is
    /// made (a lab imports it after planning), its format stated, never probed.
    func backingStore(onBase path: String) throws(VMCtlError) -> BackingStore {
        BackingStore(path: path, format: try inspector().inspect(path, field: "--image").format)
    }

    /// Backing files may lie in the connection's pools, and in those the caller's plan makes.
    func inspector() throws(VMCtlError) -> ImageInspector {
        try ImageInspector.forPools(of: connection, pendingDirectories: Array(pending.pools.values))
    }
}

extension VMCloner {
    /// Inspects every disk the clone builds on, with the format libvirt has for
    /// it. Its chain may reach the pools, and the bases vmctl recorded when it
    /// created the source (`vm create --image FILE`). libvirt's format comes
    /// from virStorageVolGetXMLDesc.
    func inspectSourceDisks(_ disks: [SourceDisk], of definition: DomainDefinition) throws(VMCtlError) {
        let bases = (definition.metadata?.volumes ?? []).compactMap { record -> String? in
            if case .path(let path) = record.location, !record.createdByVMCtl { return path }
            return nil
        }
        let inspector = try ImageInspector.forPools(of: connection, allowedFiles: bases)
        for disk in disks {
            let xml = try libvirt("reading volume '\(disk.volume.name)'") { try disk.volume.xml() }
            let told = (try? StorageVolumeDefinition(xml: xml))?.format
            _ = try inspector.inspect(disk.path, told: told, field: "source")
        }
    }

    /// The format of a source disk libvirt states none for, from its header.
    func headerFormat(of path: String) throws(VMCtlError) -> DiskFormat {
        try ImageInspector.forPools(of: connection).inspect(path, field: "source").format
    }
}
