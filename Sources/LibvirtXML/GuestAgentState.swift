extension DomainDefinition {
    /// Whether a running domain's live XML says its guest agent is connected
    /// (`<channel><target name='org.qemu.guest_agent.0' state='connected'/>`):
    /// libvirt sees the agent's end of the channel open, so an agent command can be answered.
    public static func guestAgentConnected(liveXML: String) throws -> Bool {
        let root = try parseRoot(liveXML, expected: "domain")
        return (root.child("devices")?.children("channel") ?? []).contains { channel in
            isGuestAgent(channel) && channel.child("target")?.attribute("state") == "connected"
        }
    }
}
