"""The map's rules: where the city's own tile server is, and the credit its tiles carry.

Government networks are often offline, so nothing is loaded from the public internet by default:
with no tile URL the pages show plain latitude/longitude inputs (jiceng.areas.maps).
"""

from jiceng.core.rules import Text, register

MAP_TILE_URL = "map.tile_url"
MAP_ATTRIBUTION = "map.attribution"

register(
    MAP_TILE_URL,
    "地图瓦片服务地址",
    "",
    "本平台约定：政务内网常不通互联网，默认不加载任何外部地图；城市可填写自建或政务云瓦片服务的地址"
    "（如天地图政务版、自建瓦片服务，格式 https://tiles.example.gov.cn/{z}/{x}/{y}.png），填写后"
    "选点页面显示地图，留空时只显示经纬度输入框。",
    type=Text(
        max_length=300,
        pattern=r"(https?://[^\s\"'<>]+|/[^\s\"'<>]*)\{z\}[^\s\"'<>]*",
        pattern_text="以 http://、https:// 或 / 开头，含 {z}、{x}、{y}",
    ),
)
register(
    MAP_ATTRIBUTION,
    "地图瓦片署名",
    "",
    "地图服务的审图号和署名：《地图管理条例》（国务院令第664号）要求经审核的地图标注审图号；留空时不显示。",
    type=Text(max_length=200),
)
