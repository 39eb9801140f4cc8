// Placeholder until the XML model lands.
public enum LibvirtXMLPlaceholder {}
