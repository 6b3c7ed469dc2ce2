"""Chinese names of the cities where providers work, so a search or a filter in Chinese finds them.

Cities are stored as their English names (as providers enter them); a city missing here is shown
and searched by that name alone.
"""

CITY_NAMES_ZH = {
    "Beijing": "北京",
    "Changchun": "长春",
    "Changsha": "长沙",
    "Changzhou": "常州",
    "Chengdu": "成都",
    "Chongqing": "重庆",
    "Dalian": "大连",
    "Fuzhou": "福州",
    "Guangzhou": "广州",
    "Haikou": "海口",
    "Hangzhou": "杭州",
    "Harbin": "哈尔滨",
    "Hefei": "合肥",
    "Jinan": "济南",
    "Kunming": "昆明",
    "Lianyungang": "连云港",
    "Nanjing": "南京",
    "Ningbo": "宁波",
    "Qingdao": "青岛",
    "Qionghai": "琼海",
    "Sanya": "三亚",
    "Shanghai": "上海",
    "Shenyang": "沈阳",
    "Shenzhen": "深圳",
    "Shijiazhuang": "石家庄",
    "Suzhou": "苏州",
    "Taizhou": "泰州",
    "Tianjin": "天津",
    "Wuhan": "武汉",
    "Wuxi": "无锡",
    "Xiamen": "厦门",
    "Xi'an": "西安",
    "Zhengzhou": "郑州",
    "Zhuhai": "珠海",
}


def city_name_zh(city: str) -> str:
    """The Chinese name of ``city`` if known, else the name as given."""
    return CITY_NAMES_ZH.get(city.strip(), city)
