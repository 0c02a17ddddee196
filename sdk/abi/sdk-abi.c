/*
 * sdk-abi.c: the plugin SDK's ABI anchor. The SDK has no library of its
 * own, so abidw has nothing to record its types from; this file gives it
 * one. Built into a throwaway shared object by sdk/abi/check-abi.sh, it
 * exports one function per type of the SDK and public headers (structs,
 * enums, callback types), so the DWARF abidw reads holds the exact layout
 * of vkp_descriptor, vkp_host and its nested tables, every ops table,
 * vkp_ref, and the values of every enum a plugin passes as an int.
 *
 * Not installed and not part of any build: check-abi.sh compiles it and
 * fails when a type of the headers is missing from the list below.
 */
#include <virtkit-1/host.h>
#include <virtkit-1/hypervisor.h>
#include <virtkit-1/network.h>
#include <virtkit-1/plugin.h>
#include <virtkit-1/storage.h>
#include <virtkit/virtkit.h>

#define VKA(T)                                                                         \
    __attribute__((visibility("default"))) void vka_##T(const T *p);                  \
    __attribute__((visibility("default"))) void vka_##T(const T *p)                    \
    {                                                                                  \
        (void)p;                                                                       \
    }

/* The SDK: what a plugin and the core exchange. */
VKA(vkp_def_api)
VKA(vkp_def_format_flags)
VKA(vkp_def_kind)
VKA(vkp_def_parse_flags)
VKA(vkp_descriptor)
VKA(vkp_domain_stats)
VKA(vkp_entry_fn)
VKA(vkp_host)
VKA(vkp_hypervisor_ops)
VKA(vkp_kind)
VKA(vkp_log_level)
VKA(vkp_network_ops)
VKA(vkp_node_api)
VKA(vkp_params_api)
VKA(vkp_path_kind)
VKA(vkp_ref)
VKA(vkp_storage_ops)
VKA(vkp_volref)

/* Public types a plugin also sees through the SDK (the SDK headers
 * include the public ones): infos it fills, callbacks, and enums whose
 * values it passes as ints. */
VKA(virtkit_close_reason)
VKA(virtkit_connect_close_cb)
VKA(virtkit_connect_flags)
VKA(virtkit_crashed_reason)
VKA(virtkit_domain_define_flags)
VKA(virtkit_domain_destroy_flags)
VKA(virtkit_domain_event_device_cb)
VKA(virtkit_domain_event_generic_cb)
VKA(virtkit_domain_event_id)
VKA(virtkit_domain_event_io_error_cb)
VKA(virtkit_domain_event_lifecycle_cb)
VKA(virtkit_domain_event_type)
VKA(virtkit_domain_info)
VKA(virtkit_domain_modify_flags)
VKA(virtkit_domain_save_flags)
VKA(virtkit_domain_shutdown_flags)
VKA(virtkit_domain_start_flags)
VKA(virtkit_domain_state)
VKA(virtkit_domain_state_flags)
VKA(virtkit_domain_stats)
VKA(virtkit_domain_stats_types)
VKA(virtkit_domain_undefine_flags)
VKA(virtkit_domain_xml_flags)
VKA(virtkit_dump_flags)
VKA(virtkit_error)
VKA(virtkit_error_code)
VKA(virtkit_error_subsystem)
VKA(virtkit_event_add_handle_fn)
VKA(virtkit_event_add_timeout_fn)
VKA(virtkit_event_crashed_detail)
VKA(virtkit_event_defined_detail)
VKA(virtkit_event_generic_cb)
VKA(virtkit_event_handle_cb)
VKA(virtkit_event_handle_type)
VKA(virtkit_event_remove_handle_fn)
VKA(virtkit_event_remove_timeout_fn)
VKA(virtkit_event_resumed_detail)
VKA(virtkit_event_shutdown_detail)
VKA(virtkit_event_started_detail)
VKA(virtkit_event_stopped_detail)
VKA(virtkit_event_suspended_detail)
VKA(virtkit_event_timeout_cb)
VKA(virtkit_event_undefined_detail)
VKA(virtkit_event_update_handle_fn)
VKA(virtkit_event_update_timeout_fn)
VKA(virtkit_free_cb)
VKA(virtkit_get_stats_flags)
VKA(virtkit_list_domains_flags)
VKA(virtkit_list_networks_flags)
VKA(virtkit_list_nodedev_flags)
VKA(virtkit_list_pools_flags)
VKA(virtkit_migrate_flags)
VKA(virtkit_network_event_lifecycle_cb)
VKA(virtkit_network_event_type)
VKA(virtkit_node_info)
VKA(virtkit_nodedev_event_lifecycle_cb)
VKA(virtkit_nodedev_event_type)
VKA(virtkit_param_type)
VKA(virtkit_paused_reason)
VKA(virtkit_pool_event_lifecycle_cb)
VKA(virtkit_pool_event_type)
VKA(virtkit_pool_info)
VKA(virtkit_pool_state)
VKA(virtkit_running_reason)
VKA(virtkit_shutdown_reason)
VKA(virtkit_shutoff_reason)
VKA(virtkit_stream_event_cb)
VKA(virtkit_stream_flags)
VKA(virtkit_volume_info)
VKA(virtkit_volume_type)
