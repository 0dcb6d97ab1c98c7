"""ovs-hypervisor: move a libvirt hypervisor onto Open vSwitch with pyinfra."""
