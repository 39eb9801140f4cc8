public enum LibvirtPlaceholder {}
