import Libvirt
// Placeholder until the command logic lands.
public enum VMCtlKitPlaceholder {}
