import Testing
import VMCtlKit

@Suite struct LibvirtURITests {
    @Test(arguments: [
        ("qemu:///system", "qemu", nil, nil, "/system"),
        ("qemu+ssh://lab@host2/system", "qemu", "ssh", "host2", "/system"),
        ("qemu+ssh://lab@host2:2222/system?keyfile=/k", "qemu", "ssh", "host2", "/system"),
        ("qemu+tls://[2001:db8::1]:16514/system", "qemu", "tls", "2001:db8::1", "/system"),
        ("qemu+unix:///system?socket=/run/x.sock", "qemu", "unix", nil, "/system"),
        ("qemu://localhost/session", "qemu", nil, nil, "/session"),
        ("test:///default", "test", nil, nil, "/default"),
        ("test:///work/Fixtures/libvirt/test-node.xml", "test", nil, nil, "/work/Fixtures/libvirt/test-node.xml"),
    ] as [(String, String, String?, String?, String)])
    func partsOfAURI(text: String, driver: String, transport: String?, host: String?, path: String) throws {
        let uri = try #require(LibvirtURI(text))
        #expect(uri.driver == driver)
        #expect(uri.transport == transport)
        #expect(uri.host == host)
        #expect(uri.path == path)
        #expect(uri.isLocal == (host == nil))
    }

    @Test func textWithoutAScheme() {
        #expect(LibvirtURI("bogus") == nil)
        #expect(LibvirtURI("://x") == nil)
    }
}
